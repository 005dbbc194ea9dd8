import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';

/** Writes to a temporary name and renames into place only once `write` succeeded: nothing half-written. */
export async function writeAtomically<T>(file: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const result = await write(tmp);
    await rename(tmp, file);
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
