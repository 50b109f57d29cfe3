import { isIPv4 } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { stripListOptions } from '../../domain/command-line.js';
import { lsLine, mlsxLine, type DirEntry } from '../../domain/listing.js';
import { assertLoggedIn } from './commands-login.js';
import { target } from './commands-fs.js';
import { activeChannel, openPassive, type DataSettings } from './data-channel.js';
import { plainIp } from './client-address.js';
import { withDataConnection } from './transfer.js';
import type { FtpSession } from './session.js';

function dataSettings(session: FtpSession): DataSettings {
  const { ctx } = session;
  return { timeoutMs: ctx.dataTimeoutMs, checkAddress: ctx.checkDataAddress, trustedProxies: ctx.trustedProxies, metrics: ctx.metrics, requireTlsReuse: ctx.requireTlsReuse };
}

async function preparePassive(session: FtpSession): Promise<number> {
  session.data?.close();
  session.data = undefined;
  const { channel, port } = await openPassive(session.ctx.passivePorts, session.clientIp, dataSettings(session));
  session.data = channel;
  return port;
}

export async function pasvCommand(session: FtpSession): Promise<void> {
  const address = session.ctx.publicAddress ?? plainIp(session.socket.localAddress);
  if (!isIPv4(address)) return session.reply(522, 'PASV needs IPv4: use EPSV.');
  const port = await preparePassive(session);
  session.reply(227, `Entering Passive Mode (${address.split('.').join(',')},${port >> 8},${port & 0xff}).`);
}

export async function epsvCommand(session: FtpSession, arg: string): Promise<void> {
  if (arg.trim().toUpperCase() === 'ALL') return session.reply(200, 'EPSV ALL ok.');
  const port = await preparePassive(session);
  session.reply(229, `Entering Extended Passive Mode (|||${port}|).`);
}

export function portCommand(session: FtpSession, arg: string): Promise<void> {
  const parts = arg.trim().split(',');
  const numbers = parts.map(Number);
  if (parts.length !== 6 || numbers.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return done(session.reply(501, 'Syntax error in PORT parameters.'));
  const host = numbers.slice(0, 4).join('.');
  return setActive(session, host, (numbers[4] ?? 0) * 256 + (numbers[5] ?? 0));
}

export function eprtCommand(session: FtpSession, arg: string): Promise<void> {
  const delimiter = arg.trim()[0];
  const fields = delimiter === undefined ? [] : arg.trim().split(delimiter);
  const [, family, host, portText] = fields;
  const port = Number(portText);
  if (fields.length !== 5 || (family !== '1' && family !== '2') || host === undefined || !Number.isInteger(port)) return done(session.reply(501, 'Syntax error in EPRT parameters.'));
  return setActive(session, host, port);
}

/** Active mode connects only back to the control client (no FTP bounce) and never to a privileged port. */
function setActive(session: FtpSession, host: string, port: number): Promise<void> {
  if (port < 1024 || port > 65535 || (session.ctx.checkDataAddress && plainIp(host) !== session.clientIp)) {
    session.ctx.metrics.refusedDataConnections.inc({ reason: 'active_address' });
    return done(session.reply(500, 'Illegal PORT command.'));
  }
  session.data?.close();
  session.data = activeChannel(host, port, dataSettings(session));
  return done(session.reply(200, 'PORT command successful.'));
}

export function restCommand(session: FtpSession, arg: string): Promise<void> {
  if (!/^\d{1,15}$/.test(arg.trim())) return done(session.reply(501, 'REST needs a byte offset.'));
  session.restOffset = Number(arg.trim());
  return done(session.reply(350, `Restart position accepted (${session.restOffset}).`));
}

type ListKind = 'LIST' | 'NLST' | 'MLSD';

export async function listCommand(session: FtpSession, arg: string, kind: ListKind): Promise<void> {
  const user = assertLoggedIn(session);
  const pathArg = kind === 'MLSD' ? arg : stripListOptions(arg).path;
  const path = target(session, pathArg, 'list');
  if (kind === 'MLSD' && !(await user.storage.isDirectory(path))) return session.reply(501, 'MLSD needs a folder.');
  const entries = await user.storage.list(path);
  const now = session.ctx.clock();
  const line = (entry: DirEntry): string => (kind === 'LIST' ? lsLine(entry, now) : kind === 'NLST' ? entry.name : mlsxLine(entry, user.profile.permissions));
  const text = entries.map((entry) => `${line(entry)}\r\n`).join('');
  await withDataConnection(session, 'Here comes the directory listing.', () => `${kind} ${path}`, (socket) => pipeline(Readable.from([Buffer.from(text, 'utf8')]), socket));
}

export async function statCommand(session: FtpSession, arg: string): Promise<void> {
  if (arg.trim() !== '' && session.user !== undefined) {
    const path = target(session, stripListOptions(arg).path, 'list');
    const entries = await session.user.storage.list(path);
    const now = session.ctx.clock();
    return session.reply(213, `Status of ${path}:`, ...entries.map((entry) => lsLine(entry, now)), 'End of status');
  }
  const lines = [
    'FTP server status:',
    `Connected to ${session.clientIp}`,
    session.user ? `Logged in as ${session.user.username}` : 'Not logged in',
    `TYPE: ${session.transferType === 'ascii' ? 'ASCII' : 'BINARY'}`,
    session.secure ? `Control connection is encrypted; data ${session.protectData ? 'encrypted' : 'in clear'}` : 'Control connection is in clear',
    session.transfer ? `Transfer in progress: ${session.transfer.describe()}` : 'No transfer in progress',
  ];
  session.reply(211, ...lines, 'End of status');
}

export async function aborCommand(session: FtpSession): Promise<void> {
  const running = session.transfer;
  session.data?.close();
  session.data = undefined;
  if (running === undefined) return session.reply(225, 'No transfer to abort.');
  running.abort();
  await running.done;
  session.reply(226, 'ABOR successful.');
}

export function uniqueName(): string {
  return `ftp-${randomUUID().slice(0, 8)}`;
}

function done(_: void): Promise<void> {
  return Promise.resolve();
}
