import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FtpAccount {
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

export const ftpUrl = (account: FtpAccount, path: string) => `ftp://${encodeURIComponent(account.username)}:${encodeURIComponent(account.password)}@127.0.0.1:${account.port}${path.split('/').map(encodeURIComponent).join('/')}`;

/** curl uploads as a user's script does (passive mode, directories created). */
export async function curlUpload(account: FtpAccount, local: string, remote: string): Promise<void> {
  await run('curl', ['-sS', '--fail', '--ftp-create-dirs', '-T', local, ftpUrl(account, remote)]);
}

export async function curlDownload(account: FtpAccount, remote: string, local: string): Promise<void> {
  await run('curl', ['-sS', '--fail', '-o', local, ftpUrl(account, remote)]);
}

export interface Reply {
  readonly code: number;
  readonly text: string;
}

/**
 * A login as a client does it, one command per write: the greeting, USER, PASS.
 * Returns the last reply: 230 when logged in, or the refusal (at the greeting or
 * after USER/PASS) with its text.
 */
export function loginReply(account: FtpAccount): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: account.port });
    let buffer = '';
    const finish = (reply: Reply) => {
      socket.end('QUIT\r\n');
      resolve(reply);
    };
    socket.setTimeout(15_000, () => socket.destroy(new Error('no FTP reply within 15 s')));
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed after: ${buffer}`)));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const line = /^(\d{3}) (.*)\r\n/m.exec(buffer);
      if (line === null) return;
      buffer = '';
      const reply = { code: Number(line[1]), text: line[2]! };
      if (reply.code === 220) socket.write(`USER ${account.username}\r\n`);
      else if (reply.code === 331) socket.write(`PASS ${account.password}\r\n`);
      else finish(reply);
    });
  });
}

/** Reads FTP replies off a control connection: multi-line replies (`ddd-` … `ddd `) come back as one. */
class ReplyReader {
  private buffer = '';
  private readonly replies: Reply[] = [];
  private waiting: (() => void) | undefined;
  private closed = false;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      for (let end = /^(\d{3}) .*\r\n/m.exec(this.buffer); end !== null; end = /^(\d{3}) .*\r\n/m.exec(this.buffer)) {
        this.replies.push({ code: Number(end[1]), text: end[0].slice(4).trimEnd() });
        this.buffer = this.buffer.slice(end.index + end[0].length);
      }
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  async next(): Promise<Reply> {
    while (this.replies.length === 0) {
      if (this.closed) throw new Error('the control connection closed before a reply');
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    return this.replies.shift()!;
  }
}

/**
 * A control connection kept open across an event (a reload, a failover), then used
 * for a passive upload: the session a long-lived client holds.
 */
export class FtpSession {
  private constructor(
    private readonly control: Socket,
    private readonly replies: ReplyReader,
  ) {}

  static async login(account: FtpAccount): Promise<FtpSession> {
    const control = connect({ host: '127.0.0.1', port: account.port });
    control.on('error', () => undefined);
    const session = new FtpSession(control, new ReplyReader(control));
    await session.expect(undefined, 220);
    await session.expect(`USER ${account.username}`, 331);
    await session.expect(`PASS ${account.password}`, 230);
    return session;
  }

  async expect(command: string | undefined, code: number): Promise<Reply> {
    if (command !== undefined) this.control.write(`${command}\r\n`);
    const reply = await this.replies.next();
    if (reply.code !== code) throw new Error(`${command ?? 'greeting'}: expected ${code}, got ${reply.code} ${reply.text}`);
    return reply;
  }

  /** TYPE I, PASV, STOR: the data connection goes to the address and port the PASV reply names. */
  async upload(path: string, data: Buffer): Promise<void> {
    await this.expect('TYPE I', 200);
    const pasv = await this.expect('PASV', 227);
    const [h1, h2, h3, h4, p1, p2] = (/\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv.text) ?? []).slice(1).map(Number);
    if (p2 === undefined) throw new Error(`cannot read the PASV reply: ${pasv.text}`);
    const dataSocket = connect({ host: `${h1}.${h2}.${h3}.${h4}`, port: p1! * 256 + p2 });
    await once(dataSocket, 'connect');
    await this.expect(`STOR ${path}`, 150);
    dataSocket.end(data);
    await once(dataSocket, 'close');
    await this.expect(undefined, 226);
  }

  async quit(): Promise<void> {
    // A session the server already closed has nothing to say goodbye to.
    await this.expect('QUIT', 221).catch(() => undefined);
    this.control.destroy();
  }
}
