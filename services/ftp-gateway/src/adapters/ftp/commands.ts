import { assertLoggedIn, authCommand, passCommand, pbszCommand, protCommand, quitCommand, userCommand } from './commands-login.js';
import { cwdCommand, deleCommand, mdtmCommand, mkdCommand, mlstCommand, pwdCommand, rmdCommand, rnfrCommand, rntoCommand, sizeCommand } from './commands-fs.js';
import { aborCommand, eprtCommand, epsvCommand, listCommand, pasvCommand, portCommand, restCommand, statCommand } from './commands-data.js';
import { retrCommand, storCommand } from './commands-files.js';
import { supportedDirectives, type CommandSpec } from './ftp-srv.js';
import { sessionOf, type FtpSession } from './session.js';

type Handler = (session: FtpSession, arg: string) => Promise<void>;

/** What FEAT announces: exactly what the handlers below implement (RFC 2389). */
export function featureLines(tls: boolean): string[] {
  return [
    ...(tls ? ['AUTH TLS', 'PBSZ', 'PROT'] : []),
    'EPRT',
    'EPSV',
    'MDTM',
    'MLST type*;size*;modify*;perm*;',
    'REST STREAM',
    'SIZE',
    'TVFS',
    'UTF8',
  ];
}

function typeCommand(session: FtpSession, arg: string): Promise<void> {
  const type = arg.trim().toUpperCase();
  if (type === 'A' || type === 'A N') session.transferType = 'ascii';
  else if (type === 'I' || type === 'L 8') session.transferType = 'binary';
  else return Promise.resolve(session.reply(504, 'Only TYPE A and TYPE I are supported.'));
  session.reply(200, `Switching to ${session.transferType === 'ascii' ? 'ASCII' : 'Binary'} mode.`);
  return Promise.resolve();
}

function optsCommand(session: FtpSession, arg: string): Promise<void> {
  const [option = '', value = ''] = arg.trim().toUpperCase().split(/\s+/);
  if ((option === 'UTF8' || option === 'UTF-8') && (value === 'ON' || value === 'OFF' || value === '')) session.reply(200, 'Always in UTF8 mode.');
  else if (option === 'MLST') session.reply(200, 'MLST OPTS type;size;modify;perm;');
  else session.reply(501, 'Option not understood.');
  return Promise.resolve();
}

function featCommand(session: FtpSession): Promise<void> {
  session.reply(211, 'Features:', ...featureLines(session.ctx.tls !== undefined), 'End');
  return Promise.resolve();
}

function helpCommand(session: FtpSession): Promise<void> {
  const names = supportedDirectives();
  const rows: string[] = [];
  for (let i = 0; i < names.length; i += 8) rows.push(names.slice(i, i + 8).join(' '));
  session.reply(214, 'The following commands are recognized:', ...rows, 'Help OK.');
  return Promise.resolve();
}

function loggedIn(handler: Handler): Handler {
  return (session, arg) => {
    assertLoggedIn(session);
    return handler(session, arg);
  };
}

/** Every command the gateway answers itself, mapped onto ftp-srv's registry (ftp-srv keeps NOOP SYST STRU MODE ALLO). */
export function commandSpecs(): Map<string, CommandSpec> {
  const table: Array<[string, Handler, string, boolean?]> = [
    ['USER', userCommand, 'USER <name>', true],
    ['PASS', (s, a) => passCommand(s, a, s.hooks), 'PASS <password>', true],
    ['QUIT', quitCommand, 'QUIT', true],
    ['AUTH', authCommand, 'AUTH TLS', true],
    ['PBSZ', pbszCommand, 'PBSZ 0', true],
    ['PROT', protCommand, 'PROT P|C', true],
    ['FEAT', featCommand, 'FEAT', true],
    ['OPTS', optsCommand, 'OPTS UTF8 ON', true],
    ['HELP', helpCommand, 'HELP', true],
    ['STAT', statCommand, 'STAT [<path>]', true],
    ['TYPE', loggedIn(typeCommand), 'TYPE A|I'],
    ['PWD', pwdCommand, 'PWD'],
    ['XPWD', pwdCommand, 'XPWD'],
    ['CWD', cwdCommand, 'CWD <path>'],
    ['XCWD', cwdCommand, 'XCWD <path>'],
    ['CDUP', (s) => cwdCommand(s, '..'), 'CDUP'],
    ['XCUP', (s) => cwdCommand(s, '..'), 'XCUP'],
    ['MKD', mkdCommand, 'MKD <path>'],
    ['XMKD', mkdCommand, 'XMKD <path>'],
    ['RMD', rmdCommand, 'RMD <path>'],
    ['XRMD', rmdCommand, 'XRMD <path>'],
    ['DELE', deleCommand, 'DELE <path>'],
    ['RNFR', rnfrCommand, 'RNFR <path>'],
    ['RNTO', rntoCommand, 'RNTO <path>'],
    ['SIZE', sizeCommand, 'SIZE <path>'],
    ['MDTM', mdtmCommand, 'MDTM <path>'],
    ['MLST', mlstCommand, 'MLST [<path>]'],
    ['MLSD', (s, a) => listCommand(s, a, 'MLSD'), 'MLSD [<path>]'],
    ['LIST', (s, a) => listCommand(s, a, 'LIST'), 'LIST [-al] [<path>]'],
    ['NLST', (s, a) => listCommand(s, a, 'NLST'), 'NLST [<path>]'],
    ['PASV', pasvCommand, 'PASV'],
    ['EPSV', epsvCommand, 'EPSV [ALL]'],
    ['PORT', portCommand, 'PORT h1,h2,h3,h4,p1,p2'],
    ['EPRT', eprtCommand, 'EPRT |af|addr|port|'],
    ['REST', restCommand, 'REST <offset>'],
    ['RETR', retrCommand, 'RETR <path>'],
    ['STOR', (s, a) => storCommand(s, a, 'STOR'), 'STOR <path>'],
    ['APPE', (s, a) => storCommand(s, a, 'APPE'), 'APPE <path>'],
    ['STOU', (s, a) => storCommand(s, a, 'STOU'), 'STOU'],
    ['ABOR', aborCommand, 'ABOR'],
  ];
  const specs = new Map<string, CommandSpec>();
  for (const [directive, handler, syntax, noAuth] of table) {
    specs.set(directive, {
      syntax,
      description: directive,
      ...(noAuth ? { noAuth } : {}),
      handler: async (connection, arg) => {
        const session = sessionOf(connection);
        if (session === undefined) return;
        try {
          await handler(session, arg);
        } catch (error) {
          session.replyError(error, directive);
        }
      },
    });
  }
  return specs;
}
