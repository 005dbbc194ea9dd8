import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { UserError, type ErrorCode } from './errors.js';

const FS_REASONS: Record<string, [ErrorCode, string]> = {
  ENOSPC: ['NO_SPACE', 'no space left on the device'],
  EDQUOT: ['NO_SPACE', 'disk quota exceeded'],
  EACCES: ['PERMISSION_DENIED', 'permission denied'],
  EPERM: ['PERMISSION_DENIED', 'operation not permitted'],
  EROFS: ['PERMISSION_DENIED', 'read-only file system'],
  EIO: ['FILE_SYSTEM', 'input/output error'],
  ENOTDIR: ['FILE_SYSTEM', 'a component of the path is not a directory'],
  EISDIR: ['FILE_SYSTEM', 'it is a directory'],
};

/** A file system failure as a UserError naming the file; anything else unchanged. */
export function fileError(e: unknown, file: string, verb = 'writing'): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof UserError || !code || !FS_REASONS[code]) return e;
  const [errorCode, reason] = FS_REASONS[code];
  return new UserError(errorCode, `${verb} ${file}: ${reason} (${code})`);
}

/** Writes to a temporary name and renames into place only once `write` succeeded: nothing half-written. */
export async function writeAtomically<T>(file: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const result = await write(tmp);
    await rename(tmp, file);
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw fileError(e, file);
  }
}
