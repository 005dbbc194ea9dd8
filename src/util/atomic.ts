import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
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
  ENOENT: ['FILE_SYSTEM', 'no such file or directory'],
  ELOOP: ['FILE_SYSTEM', 'too many symbolic links'],
};

/** A file system failure in words, with its errno code: "permission denied (EACCES)". */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code && FS_REASONS[code] ? `${FS_REASONS[code][1]} (${code})` : code ?? String(e);
}

/** A file system failure as a UserError naming the file; anything else unchanged. */
export function fileError(e: unknown, file: string, verb = 'writing'): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof UserError || !code || !FS_REASONS[code]) return e;
  return new UserError(FS_REASONS[code][0], `${verb} ${file}: ${fsReason(e)}`);
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

/**
 * `mkdir -p DIR`: creates DIR and its missing parents. Node's `mkdir(…, { recursive: true })` spins
 * forever where a parent exists and still cannot hold the child (/proc/x, a dangling symlink): here
 * a parent made or found and a child still missing is an error. Throws a UserError naming DIR.
 */
export async function makeDirectory(dir: string): Promise<void> {
  const attempt = async (): Promise<string | undefined> => {
    try {
      await mkdir(dir);
      return undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await stat(dir).then((s) => s.isDirectory(), () => false))) return undefined;
      if (code === 'EEXIST') throw new UserError('FILE_SYSTEM', `creating ${dir}: a file that is not a directory is in the way (EEXIST)`);
      if (code === 'ENOENT') return code;
      throw fileError(e, dir, 'creating');
    }
  };
  if ((await attempt()) === undefined) return;
  if (dirname(dir) === dir) throw new UserError('FILE_SYSTEM', `creating ${dir}: no such file or directory (ENOENT)`);
  await makeDirectory(dirname(dir));
  if ((await attempt()) !== undefined) throw new UserError('FILE_SYSTEM', `creating ${dir}: its parent exists but cannot hold it (ENOENT)`);
}
