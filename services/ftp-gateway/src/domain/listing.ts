import type { Permissions } from '@ferry/contracts';
import { mlstPerm } from './permissions.js';

export interface DirEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly mtime: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3_600_000;

/** One `ls -l` line as FileZilla, WinSCP and lftp parse it (recent files show the time, older ones the year). */
export function lsLine(entry: DirEntry, now: Date): string {
  const mode = entry.isDirectory ? 'drwxr-xr-x' : '-rw-r--r--';
  const m = entry.mtime;
  const day = String(m.getUTCDate()).padStart(2, ' ');
  const recent = Math.abs(now.getTime() - m.getTime()) < SIX_MONTHS_MS;
  const when = recent ? `${pad2(m.getUTCHours())}:${pad2(m.getUTCMinutes())}` : ` ${m.getUTCFullYear()}`;
  return `${mode} 1 ftp ftp ${String(entry.size).padStart(12, ' ')} ${MONTHS[m.getUTCMonth()]} ${day} ${when} ${entry.name}`;
}

/** RFC 3659 time-val: YYYYMMDDHHMMSS (UTC); `withMillis` adds ".sss" (MDTM). */
export function ftpTime(date: Date, withMillis = false): string {
  const base = `${date.getUTCFullYear()}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}`;
  return withMillis ? `${base}.${String(date.getUTCMilliseconds()).padStart(3, '0')}` : base;
}

export type MlsxType = 'file' | 'dir' | 'cdir';

/** "type=file;size=12;modify=20261122034000;perm=adfrw; name" (RFC 3659 §7). */
export function mlsxLine(entry: DirEntry, permissions: Permissions, type: MlsxType = entry.isDirectory ? 'dir' : 'file'): string {
  const facts = [`type=${type}`, ...(entry.isDirectory ? [] : [`size=${entry.size}`]), `modify=${ftpTime(entry.mtime)}`, `perm=${mlstPerm(permissions, entry.isDirectory)}`];
  return `${facts.join(';')}; ${entry.name}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
