import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { UserError } from './errors.js';

const FS_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'it is a directory',
};

/** A file system failure as a UserError naming the file; anything else unchanged. */
export function fileError(e: unknown, file: string, verb = 'writing'): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof UserError || !code || !FS_REASONS[code]) return e;
  return new UserError(`${verb} ${file}: ${FS_REASONS[code]} (${code})`);
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
