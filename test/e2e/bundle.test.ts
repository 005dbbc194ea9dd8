// The launcher, the Node the bundle runs on, and the committed bundle (dist/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { LAUNCHER, ROOT, tmp } from '../helpers/nix.js';
import { treeBytes } from '../helpers/oci.js';

test("the tests (and so the CLI in their Nix builds, node = process.execPath) run on a Node that engines allows", async (t) => {
  t.diagnostic(`node ${process.version} (${process.execPath})`);
  const floor = /^>=(\d+)\.(\d+)$/.exec(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string);
  assert.ok(floor, 'engines.node is a >=MAJOR.MINOR floor');
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(major > Number(floor[1]) || (major === Number(floor[1]) && minor >= Number(floor[2])), `node ${process.version} is older than ${floor[0]}`);
  // The launcher of a checkout runs on the same node as the scripts (scripts/node-env.sh puts it first
  // on PATH, and bin/longshore prefers .tools/bin/node).
  const say = encodeURIComponent("process.stderr.write('NODE ' + process.version + '\\n')").replaceAll("'", '%27');
  const r = await execa(LAUNCHER, ['--version'], { env: { NODE_OPTIONS: `--import=data:text/javascript,${say}` } });
  assert.match(r.stderr, new RegExp(`^NODE ${process.version.replaceAll('.', '\\.')}$`, 'm'));
});

test('the launcher finds the bundle through a relative symlink, from any directory', async () => {
  // The layout of a global npm install: PREFIX/bin/longshore -> ../lib/node_modules/longshore/bin/longshore.
  const prefix = tmp('longshore-prefix-');
  mkdirSync(join(prefix, 'bin'));
  mkdirSync(join(prefix, 'lib/node_modules'), { recursive: true });
  symlinkSync(ROOT, join(prefix, 'lib/node_modules/longshore'));
  symlinkSync('../lib/node_modules/longshore/bin/longshore', join(prefix, 'bin/longshore'));
  const r = await execa(join(prefix, 'bin/longshore'), ['--version'], { cwd: prefix });
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  const direct = await execa(LAUNCHER, ['--version'], { cwd: '/' });
  assert.equal(direct.stdout.trim(), r.stdout.trim());
});

test('dist/ is committed, and is the bundle of these sources byte for byte (run `npm run build` and commit dist/ when this fails)', async () => {
  const fresh = join(tmp('longshore-dist-'), 'dist');
  await execa(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), fresh], { cwd: ROOT });
  const want = treeBytes(fresh);
  const have = treeBytes(join(ROOT, 'dist'));
  const stale = [...new Set([...want.keys(), ...have.keys()])].filter((f) => !want.get(f)?.equals(have.get(f) ?? Buffer.alloc(0)) || !have.has(f)).sort();
  assert.deepEqual(stale, [], `dist/ is stale: these files differ from a fresh bundle of the sources: ${stale.join(', ')}; run \`npm run build\` and commit dist/`);
  // What the flake installs is what git holds: the bundle in the working tree is the committed one.
  const git = await execa('git', ['status', '--porcelain', '--untracked-files=all', '--', 'dist'], { cwd: ROOT, reject: false });
  if (git.exitCode !== 0) return; // not a git checkout (an unpacked release): nothing to compare with
  assert.equal(git.stdout, '', `dist/ differs from the committed one:\n${git.stdout.split('\n').slice(0, 8).join('\n')}\nrun \`npm run build\` and commit dist/ (the flake builds the CLI from the committed bundle)`);
});
