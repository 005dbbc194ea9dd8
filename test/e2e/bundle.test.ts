// The bundle's stand-in for node:http2 (scripts/lazy-http2.cjs), which keeps node:http2 and node:tls
// off every start (test/e2e/registry.test.ts checks that a push indeed loads neither), and the launcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { constants } from 'node:http2';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { LAUNCHER, ROOT, tmp } from '../helpers/nix.js';

test('the stand-in for node:http2 has the real constants', () => {
  const shim = createRequire(import.meta.url)(`${ROOT}/scripts/lazy-http2.cjs`) as { known: Record<string, unknown>; constants: Record<string, unknown> };
  for (const [k, v] of Object.entries(shim.known)) assert.equal(v, (constants as Record<string, unknown>)[k], k);
  // Names it does not hold come from the real module.
  assert.equal(shim.constants.HTTP2_HEADER_USER_AGENT, constants.HTTP2_HEADER_USER_AGENT);
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
