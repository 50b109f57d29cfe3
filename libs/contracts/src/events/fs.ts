import { z } from 'zod';
import { HomePath, IsoTime, NonNegativeInt } from '../primitives.js';
import { eventSubjects } from '../subjects.js';
import { SessionRef } from './common.js';
import { defineEvent, type EventOf } from './define.js';

const FsBase = SessionRef.extend({ at: IsoTime });

export const DirectoryCreated = defineEvent('ferry.fs.mkdir.v1', FsBase.extend({ path: HomePath }), () => eventSubjects.fs('mkdir'));
export const DirectoryRemoved = defineEvent('ferry.fs.rmdir.v1', FsBase.extend({ path: HomePath }), () => eventSubjects.fs('rmdir'));
export const FileDeleted = defineEvent(
  'ferry.fs.delete.v1',
  FsBase.extend({ path: HomePath, bytes: NonNegativeInt.optional() }),
  () => eventSubjects.fs('delete'),
);
export const PathRenamed = defineEvent(
  'ferry.fs.rename.v1',
  FsBase.extend({ from: HomePath, to: HomePath, isDirectory: z.boolean() }),
  () => eventSubjects.fs('rename'),
);

export const fsEvents = [DirectoryCreated, DirectoryRemoved, FileDeleted, PathRenamed] as const;
export type DirectoryCreated = EventOf<typeof DirectoryCreated>;
export type DirectoryRemoved = EventOf<typeof DirectoryRemoved>;
export type FileDeleted = EventOf<typeof FileDeleted>;
export type PathRenamed = EventOf<typeof PathRenamed>;
export type FsEvent = DirectoryCreated | DirectoryRemoved | FileDeleted | PathRenamed;
