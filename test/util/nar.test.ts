// The NAR hash and Nix's hash notations against Nix itself (nix-hash), on a tree with every kind of
// entry a NAR holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { narSha256, parseSha256, toNixBase32, toSri } from '../../src/util/nar.js';
import { tmp } from '../helpers/nix.js';

const hasNix = (await execa('nix-hash', ['--version'], { reject: false })).exitCode === 0;

function tree(): string {
  const dir = tmp('longshore-nar-');
  mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
  mkdirSync(join(dir, 'empty-dir'));
  writeFileSync(join(dir, 'manifest.json'), '{"schemaVersion":2}');
  writeFileSync(join(dir, 'empty'), '');
  writeFileSync(join(dir, 'eight-by'), '12345678');
  writeFileSync(join(dir, 'sub/nine-byte'), '123456789');
  writeFileSync(join(dir, 'sub/deeper/big'), Buffer.alloc(300_001, 7));
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  writeFileSync(join(dir, 'group-exec'), 'x'); // Nix marks only what its owner may execute
  chmodSync(join(dir, 'group-exec'), 0o610);
  symlinkSync('sub/nine-byte', join(dir, 'link'));
  symlinkSync('/nowhere/at/all', join(dir, 'sub/dangling'));
  // Byte order, not locale order: "B" < "_" < "a".
  for (const n of ['a', 'B', '_x', 'a.b', 'a-b']) writeFileSync(join(dir, 'sub', n), n);
  return dir;
}

test('narSha256 is the hash nix-hash computes, for files, executables, symlinks and directories', { skip: !hasNix && 'no nix-hash' }, async () => {
  for (const dir of [tree(), join(tree(), 'sub'), join(tree(), 'manifest.json')]) {
    const got = await narSha256(dir);
    const base16 = (await execa('nix-hash', ['--type', 'sha256', dir])).stdout.trim();
    const base32 = (await execa('nix-hash', ['--type', 'sha256', '--base32', dir])).stdout.trim();
    assert.equal(got.toString('hex'), base16, dir);
    assert.equal(toNixBase32(got), base32, dir);
  }
});

test('parseSha256 reads every notation Nix takes for a sha256, and nothing else', async () => {
  const h = Buffer.from('8f46385d0f0216efbc08c0282ffc224261f0c6bcf29ba2e2838de310a99ab50b', 'hex');
  const sri = toSri(h);
  assert.match(sri, /^sha256-[A-Za-z0-9+/]{43}=$/);
  for (const notation of [sri, h.toString('hex'), `sha256:${h.toString('hex')}`, toNixBase32(h), `sha256:${toNixBase32(h)}`, h.toString('base64'), h.toString('hex').toUpperCase()])
    assert.deepEqual(parseSha256(notation), h, notation);
  for (const bad of ['', 'sha256-', 'sha512-' + h.toString('base64'), h.toString('hex').slice(1), 'e' + toNixBase32(h).slice(1), toNixBase32(h).replace(/./, 'u')])
    assert.equal(parseSha256(bad), undefined, bad);
  // Nix's fake hashes parse (they are only wrong).
  assert.deepEqual(parseSha256('sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='), Buffer.alloc(32));
  assert.deepEqual(parseSha256('0000000000000000000000000000000000000000000000000000'), Buffer.alloc(32));
});

test('toNixBase32 agrees with nix-hash --to-base32', { skip: !hasNix && 'no nix-hash' }, async () => {
  for (const hex of ['00'.repeat(32), 'ff'.repeat(32), '0123456789abcdef'.repeat(4)]) {
    const want = (await execa('nix-hash', ['--type', 'sha256', '--to-base32', hex])).stdout.trim();
    assert.equal(toNixBase32(Buffer.from(hex, 'hex')), want);
  }
});
