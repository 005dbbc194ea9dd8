// The bundled CLI (dist/) as the edit/push loop runs it: a push must not pay for node:http2 and
// node:tls, which undici would load on every start (scripts/lazy-http2.cjs defers them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { constants } from 'node:http2';
import { execa } from 'execa';
import { buildExample, CLI, ROOT } from './helpers/nix.js';
import { startRegistry, type Registry } from './helpers/registry.js';

let reg: Registry;
let hello: string;
before(async () => {
  [reg, hello] = await Promise.all([startRegistry(), buildExample('hello')]);
});
after(async () => {
  await reg?.stop();
});

test('the stand-in for node:http2 has the real constants', () => {
  const shim = createRequire(import.meta.url)(`${ROOT}/scripts/lazy-http2.cjs`) as { known: Record<string, unknown>; constants: Record<string, unknown> };
  for (const [k, v] of Object.entries(shim.known)) assert.equal(v, (constants as Record<string, unknown>)[k], k);
  // Names it does not hold come from the real module.
  assert.equal(shim.constants.HTTP2_HEADER_USER_AGENT, constants.HTTP2_HEADER_USER_AGENT);
});

test('a plain-HTTP push loads neither node:http2 nor node:tls', async () => {
  const hook = `data:text/javascript,process.on('exit', () => process.stderr.write('MODULES ' + process.moduleLoadList.join(',') + '\\n'))`;
  const r = await execa(process.execPath, ['--import', hook, CLI, 'copy', '-q', hello, `docker://${reg.host}/hello:bundle`], { reject: false, all: true });
  assert.equal(r.exitCode, 0, r.all);
  const line = r.stderr.split('\n').find((l) => l.startsWith('MODULES '));
  assert.ok(line, r.stderr);
  const mods = line.slice(8).split(',');
  assert.ok(mods.includes('NativeModule net'), 'the push did use the network');
  assert.ok(!mods.includes('NativeModule http2'), 'node:http2 was loaded');
  assert.ok(!mods.includes('NativeModule tls'), 'node:tls was loaded');
});
