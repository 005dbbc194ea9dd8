// The tar writer's round trip on random trees: store path → image → oci: → GNU tar and umoci →
// the same names (as bytes), types, modes, owners, link targets and contents. A few hundred trees
// here; `npm run fuzz -- layers` runs many more. What "identical" means and what Nix itself refuses:
// test/helpers/fuzz-layers.ts. The seed is random unless LONGSHORE_FUZZ_SEED is set; it is printed,
// and a failure names the tree's own seed and the command that reproduces it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { chmodSync, closeSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX_OPTS, tmp } from '../helpers/nix.js';
import { runBatch } from '../helpers/fuzz-layers.js';

const BATCHES = 3;
const TREES = 100;
const seed = process.env.LONGSHORE_FUZZ_SEED ? Number(process.env.LONGSHORE_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

describe('round trip of random trees', () => {
  for (let b = 0; b < BATCHES; b++) {
    const seeds = Array.from({ length: TREES }, (_, i) => seed + b * TREES + i);
    test(`trees ${seeds[0]}..${seeds[seeds.length - 1]} (LONGSHORE_FUZZ_SEED=${seed})`, async (t) => {
      const r = await runBatch({ seeds, log: (m) => t.diagnostic(m) });
      assert.ok(r.entries > TREES * 5, `only ${r.entries} entries`);
    });
  }
});

describe('what Nix itself refuses or changes, which the round trip therefore leaves out', () => {
  test('FIFOs are refused; setuid, setgid and sticky bits, hard links and holes do not survive nix-store --add', async () => {
    const parent = tmp('longshore-nixrefuses-');
    const dir = join(parent, 'refused');
    mkdirSync(dir);
    await execa('mkfifo', [join(dir, 'fifo')]);
    const fifo = await execa('nix-store', ['--add', dir], { reject: false, all: true });
    assert.notEqual(fifo.exitCode, 0);
    assert.match(fifo.all ?? '', /has an unsupported type/);
    rmSync(join(dir, 'fifo'));

    writeFileSync(join(dir, 'suid'), '#!/bin/sh\n');
    chmodSync(join(dir, 'suid'), 0o6755);
    mkdirSync(join(dir, 'sticky'));
    chmodSync(join(dir, 'sticky'), 0o1777);
    writeFileSync(join(dir, 'a'), 'shared');
    linkSync(join(dir, 'a'), join(dir, 'b'));
    const fd = openSync(join(dir, 'sparse'), 'w');
    ftruncateSync(fd, 8 << 20);
    closeSync(fd);
    const p = (await execa('nix-store', ['--add', dir])).stdout.trim();
    try {
      assert.equal(lstatSync(join(p, 'suid')).mode & 0o7777, 0o555);
      assert.equal(lstatSync(join(p, 'sticky')).mode & 0o7777, 0o555);
      assert.notEqual(lstatSync(join(p, 'a')).ino, lstatSync(join(p, 'b')).ino, 'hard links are separate files');
      const sparse = lstatSync(join(p, 'sparse'));
      assert.equal(sparse.size, 8 << 20);
      assert.ok(sparse.blocks * 512 >= sparse.size, 'the store copy is dense');
    } finally {
      rmSync(parent, { recursive: true, force: true });
      await execa('nix-store', ['--delete', p, ...NIX_OPTS], { reject: false });
    }
  });
});
