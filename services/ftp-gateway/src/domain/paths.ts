/**
 * Client paths → normalised paths inside the user's virtual root ("/" is the
 * home). Pure: the storage adapter maps the result onto the disk and checks
 * symlinks; here a path can only be refused or confined.
 */

export type PathProblem = 'nul_byte' | 'backslash' | 'control_character' | 'name_too_long' | 'path_too_long' | 'reserved_name';

export type PathResult = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly problem: PathProblem };

/** Longest name of one entry, in UTF-8 bytes (ext4, xfs). */
export const MAX_NAME_BYTES = 255;
/** Longest path the client may name, in UTF-8 bytes (PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** Uploads in progress live under this prefix in their target folder; clients can neither see nor name them. */
export const UPLOAD_TEMP_PREFIX = '.ferry-upload-';

/** Resolves `arg` (absolute or relative to `cwd`) to "/a/b": "." and ".." collapse and never climb above "/". */
export function resolveClientPath(cwd: string, arg: string): PathResult {
  if (arg.includes('\0')) return { ok: false, problem: 'nul_byte' };
  if (arg.includes('\\')) return { ok: false, problem: 'backslash' };
  if (/[\u0001-\u001f\u007f]/.test(arg)) return { ok: false, problem: 'control_character' };
  if (byteLength(arg) > MAX_PATH_BYTES) return { ok: false, problem: 'path_too_long' };
  const segments = arg.startsWith('/') ? [] : splitPath(cwd);
  for (const part of arg.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      segments.pop();
      continue;
    }
    if (byteLength(part) > MAX_NAME_BYTES) return { ok: false, problem: 'name_too_long' };
    if (part.startsWith(UPLOAD_TEMP_PREFIX)) return { ok: false, problem: 'reserved_name' };
    segments.push(part);
  }
  const path = `/${segments.join('/')}`;
  if (byteLength(path) > MAX_PATH_BYTES) return { ok: false, problem: 'path_too_long' };
  return { ok: true, path };
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

export function parentOf(path: string): string {
  const segments = splitPath(path);
  segments.pop();
  return `/${segments.join('/')}`;
}

export function baseName(path: string): string {
  return splitPath(path).at(-1) ?? '';
}

/** A path as the PWD/MKD reply quotes it: RFC 959 doubles every embedded quote. */
export function quoteForReply(path: string): string {
  return `"${path.replace(/"/g, '""')}"`;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
