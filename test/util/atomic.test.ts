// Atomic file writes: the file appears whole or not at all, and file system failures name the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileError, writeAtomically } from '../../src/util/atomic.js';
import { UserError } from '../../src/util/errors.js';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'longshore-atomic-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const errno = (code: string) => Object.assign(new Error(`${code}: raw`), { code });

describe('writeAtomically', () => {
  test('writes to a temporary name beside the file, then renames it into place', async () => {
    const file = join(dir, 'index.json');
    writeFileSync(file, 'old');
    let tmpName = '';
    const r = await writeAtomically(file, async (tmp) => {
      tmpName = tmp;
      assert.equal(readFileSync(file, 'utf8'), 'old', 'the old file stays until the write is done');
      await writeFile(tmp, 'new');
      return 42;
    });
    assert.equal(r, 42);
    assert.match(tmpName, new RegExp(`^${file}\\.tmp-[0-9a-f]{12}$`));
    assert.equal(readFileSync(file, 'utf8'), 'new');
    assert.deepEqual(readdirSync(dir), ['index.json']);
  });

  test('a failed write leaves the old file and no temporary file; a file system error names the file', async () => {
    const file = join(dir, 'keep.json');
    writeFileSync(file, 'old');
    await assert.rejects(
      writeAtomically(file, async (tmp) => {
        await writeFile(tmp, 'half');
        throw errno('ENOSPC');
      }),
      (e: unknown) => e instanceof UserError && e.message === `writing ${file}: no space left on the device (ENOSPC)`,
    );
    assert.equal(readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('keep.json')), ['keep.json']);
  });

  test('other errors pass through unchanged', async () => {
    const bug = new Error('bug');
    await assert.rejects(writeAtomically(join(dir, 'x'), async () => Promise.reject(bug)), (e) => e === bug);
    assert.ok(!existsSync(join(dir, 'x')));
  });
});

test('fileError: known codes become UserErrors naming the file and the verb; others are returned as is', () => {
  const e = fileError(errno('EROFS'), '/out/layout', 'creating') as UserError;
  assert.ok(e instanceof UserError);
  assert.equal(e.message, 'creating /out/layout: read-only file system (EROFS)');
  assert.equal((fileError(errno('EDQUOT'), '/f') as Error).message, 'writing /f: disk quota exceeded (EDQUOT)');
  const other = errno('EBUSY');
  assert.equal(fileError(other, '/f'), other);
  const user = new UserError('USAGE', 'already explained');
  assert.equal(fileError(Object.assign(user, { code: 'ENOSPC' }), '/f'), user);
  assert.equal(fileError(undefined, '/f'), undefined);
});

test('fileError: each errno gets its stable code', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });
  assert.equal((fileError(errno('ENOSPC'), '/f') as UserError).code, 'NO_SPACE');
  assert.equal((fileError(errno('EDQUOT'), '/f') as UserError).code, 'NO_SPACE');
  assert.equal((fileError(errno('EACCES'), '/f') as UserError).code, 'PERMISSION_DENIED');
  assert.equal((fileError(errno('EROFS'), '/f') as UserError).code, 'PERMISSION_DENIED');
  assert.equal((fileError(errno('EIO'), '/f') as UserError).code, 'FILE_SYSTEM');
});
