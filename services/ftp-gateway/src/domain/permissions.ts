import type { Permissions } from '@ferry/contracts';

/** What a command does to storage, as far as permissions are concerned. */
export type FsOperation = 'list' | 'cwd' | 'read' | 'write' | 'append' | 'delete' | 'mkdir' | 'rmdir' | 'rename';

const REQUIRED: Record<FsOperation, keyof Permissions> = {
  list: 'read',
  cwd: 'read',
  read: 'read',
  write: 'write',
  append: 'write',
  delete: 'delete',
  mkdir: 'mkdir',
  rmdir: 'delete',
  rename: 'rename',
};

export type PermissionVerdict = { readonly allowed: true } | { readonly allowed: false; readonly missing: keyof Permissions };

export function checkPermission(permissions: Permissions, operation: FsOperation): PermissionVerdict {
  const needed = REQUIRED[operation];
  return permissions[needed] ? { allowed: true } : { allowed: false, missing: needed };
}

/** RFC 3659 "perm" fact for a file or a folder, from the profile. */
export function mlstPerm(permissions: Permissions, isDirectory: boolean): string {
  const facts = isDirectory
    ? [permissions.write ? 'c' : '', permissions.delete ? 'd' : '', permissions.read ? 'el' : '', permissions.rename ? 'f' : '', permissions.mkdir ? 'm' : '']
    : [permissions.write ? 'a' : '', permissions.delete ? 'd' : '', permissions.rename ? 'f' : '', permissions.read ? 'r' : '', permissions.write ? 'w' : ''];
  return facts.join('');
}
