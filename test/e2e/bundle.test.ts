// The launcher, and the Node the bundle runs on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { LAUNCHER, ROOT, tmp } from '../helpers/nix.js';

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
