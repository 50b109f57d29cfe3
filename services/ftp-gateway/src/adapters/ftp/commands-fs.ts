import { DirectoryCreated, DirectoryRemoved, FileDeleted, PathRenamed } from '@ferry/contracts';
import { GatewayError, PermissionDeniedError } from '../../domain/errors.js';
import { ftpTime, mlsxLine } from '../../domain/listing.js';
import { quoteForReply, resolveClientPath } from '../../domain/paths.js';
import { checkPermission, type FsOperation } from '../../domain/permissions.js';
import { assertLoggedIn } from './commands-login.js';
import type { FtpSession } from './session.js';

/** The virtual path a command names, after the path and permission checks. */
export function target(session: FtpSession, arg: string, operation: FsOperation): string {
  const user = assertLoggedIn(session);
  const verdict = checkPermission(user.profile.permissions, operation);
  if (!verdict.allowed) throw new PermissionDeniedError(verdict.missing);
  const resolved = resolveClientPath(session.cwd, arg);
  if (!resolved.ok) throw new GatewayError('PATH_INVALID', `refused path: ${resolved.problem}`);
  return resolved.path;
}

function fsRef(session: FtpSession) {
  const user = assertLoggedIn(session);
  return { sessionId: session.sessionId, username: user.username, clientIp: session.clientIp, gateway: session.ctx.gateway, at: session.ctx.clock().toISOString() };
}

export async function cwdCommand(session: FtpSession, arg: string): Promise<void> {
  const path = target(session, arg, 'cwd');
  if (!(await assertLoggedIn(session).storage.isDirectory(path))) throw new GatewayError('NOT_A_DIRECTORY', `${path} is not a folder`);
  session.cwd = path;
  session.reply(250, 'Directory successfully changed.');
}

export function pwdCommand(session: FtpSession): Promise<void> {
  session.reply(257, `${quoteForReply(session.cwd)} is the current directory.`);
  return Promise.resolve();
}

export async function mkdCommand(session: FtpSession, arg: string): Promise<void> {
  const path = target(session, arg, 'mkdir');
  await assertLoggedIn(session).storage.mkdir(path);
  session.ctx.events.emit(DirectoryCreated, { ...fsRef(session), path });
  session.reply(257, `${quoteForReply(path)} created.`);
}

export async function rmdCommand(session: FtpSession, arg: string): Promise<void> {
  const path = target(session, arg, 'rmdir');
  await assertLoggedIn(session).storage.rmdir(path);
  session.ctx.events.emit(DirectoryRemoved, { ...fsRef(session), path });
  session.reply(250, 'Remove directory operation successful.');
}

export async function deleCommand(session: FtpSession, arg: string): Promise<void> {
  const path = target(session, arg, 'delete');
  const bytes = await assertLoggedIn(session).storage.delete(path);
  session.ctx.events.emit(FileDeleted, { ...fsRef(session), path, bytes });
  session.reply(250, 'Delete operation successful.');
}

export async function rnfrCommand(session: FtpSession, arg: string): Promise<void> {
  const path = target(session, arg, 'rename');
  await assertLoggedIn(session).storage.stat(path);
  session.renameFrom = path;
  session.reply(350, 'Ready for RNTO.');
}

export async function rntoCommand(session: FtpSession, arg: string): Promise<void> {
  const from = session.renameFrom;
  session.renameFrom = undefined;
  if (from === undefined) return session.reply(503, 'RNFR required first.');
  const to = target(session, arg, 'rename');
  const { isDirectory } = await assertLoggedIn(session).storage.rename(from, to);
  session.ctx.events.emit(PathRenamed, { ...fsRef(session), from, to, isDirectory });
  session.reply(250, 'Rename successful.');
}

export async function sizeCommand(session: FtpSession, arg: string): Promise<void> {
  const entry = await assertLoggedIn(session).storage.stat(target(session, arg, 'read'));
  if (entry.isDirectory) throw new GatewayError('NOT_A_FILE', 'SIZE of a folder');
  session.reply(213, String(entry.size));
}

export async function mdtmCommand(session: FtpSession, arg: string): Promise<void> {
  const entry = await assertLoggedIn(session).storage.stat(target(session, arg, 'read'));
  if (entry.isDirectory) throw new GatewayError('NOT_A_FILE', 'MDTM of a folder');
  session.reply(213, ftpTime(entry.mtime));
}

export async function mlstCommand(session: FtpSession, arg: string): Promise<void> {
  const path = target(session, arg, 'list');
  const user = assertLoggedIn(session);
  const entry = await user.storage.stat(path);
  session.reply(250, `Listing ${path}`, mlsxLine({ ...entry, name: path }, user.profile.permissions), 'End');
}
