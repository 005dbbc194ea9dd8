// The bundle's stand-in for node:http2 (scripts/lazy-http2.cjs), which keeps node:http2 and node:tls
// off every start; tests/registry.test.ts checks that a push indeed loads neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { constants } from 'node:http2';
import { ROOT } from './helpers/nix.js';

test('the stand-in for node:http2 has the real constants', () => {
  const shim = createRequire(import.meta.url)(`${ROOT}/scripts/lazy-http2.cjs`) as { known: Record<string, unknown>; constants: Record<string, unknown> };
  for (const [k, v] of Object.entries(shim.known)) assert.equal(v, (constants as Record<string, unknown>)[k], k);
  // Names it does not hold come from the real module.
  assert.equal(shim.constants.HTTP2_HEADER_USER_AGENT, constants.HTTP2_HEADER_USER_AGENT);
});
