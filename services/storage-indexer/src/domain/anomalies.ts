/**
 * Events that arrive out of order or describe a state the projection does not
 * know. They are applied as well as they can be, counted by kind, never thrown.
 */
export type AnomalyKind =
  /** An upload or mkdir into a folder that was never created: the folders are added. */
  | 'parent_unknown'
  /** A rename, delete or rmdir of a path the catalog does not hold. */
  | 'missing_path'
  /** mkdir of a folder that already exists. */
  | 'already_exists'
  /** A download of a file the catalog does not hold. */
  | 'download_unknown_file'
  /** A second, different end (completed after failed…) for one transfer: the first end is kept. */
  | 'conflicting_end'
  /** A start that arrived after its transfer's end: the end is kept. */
  | 'late_start'
  /** delete of a folder or rmdir of a file: the path is removed anyway. */
  | 'kind_mismatch';

export interface Evolved<T> {
  readonly doc: T;
  readonly anomalies: readonly AnomalyKind[];
}
