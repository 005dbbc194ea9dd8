// Failures below HTTP, classified by their codes (never their messages) into one-line user errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { causes, networkError, notTls } from '../../src/registry/network.js';
import { UserError } from '../../src/util/errors.js';

const errno = (code: string, message = `${code} from the socket`) => Object.assign(new Error(message), { code });

describe('networkError', () => {
  test('each errno and undici code gets its stable code, the host and what was being done', () => {
    const cases: [string, string, RegExp][] = [
      ['ECONNREFUSED', 'CONNECTION_REFUSED', /^pushing x: connection refused$/],
      ['ENOTFOUND', 'NAME_NOT_RESOLVED', /^pushing x: the host name does not resolve$/],
      ['EAI_AGAIN', 'NAME_NOT_RESOLVED', /temporary DNS failure/],
      ['ECONNRESET', 'CONNECTION_RESET', /reset/],
      ['UND_ERR_SOCKET', 'CONNECTION_RESET', /closed by the other side/],
      ['UND_ERR_HEADERS_TIMEOUT', 'TIMEOUT', /did not answer in time/],
      ['EHOSTUNREACH', 'HOST_UNREACHABLE', /no route/],
    ];
    for (const [errnoCode, code, message] of cases) {
      const e = networkError(errno(errnoCode), 'pushing x', 'reg.example:5000')!;
      assert.ok(e instanceof UserError, errnoCode);
      assert.equal(e.code, code, errnoCode);
      assert.match(e.message, message, errnoCode);
    }
  });

  test('hints name the host: is a registry listening? is the name right?', () => {
    assert.match(networkError(errno('ECONNREFUSED'), 'x', '127.0.0.1:9')!.hint!, /listening at 127\.0\.0\.1:9/);
    assert.match(networkError(errno('ENOTFOUND'), 'x', 'registry.invalid:443')!.hint!, /registry\.invalid\b/);
  });

  test('a code anywhere in the cause chain counts; TLS codes win', () => {
    const wrapped = new Error('fetch failed', { cause: new Error('inner', { cause: errno('ECONNREFUSED') }) });
    assert.equal(networkError(wrapped, 'x', 'h')!.code, 'CONNECTION_REFUSED');
    const tls = networkError(errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'connecting', 'h:443')!;
    assert.equal(tls.code, 'TLS');
    assert.equal(tls.message, 'connecting: TLS failed: its certificate is not signed by a CA longshore trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    assert.match(tls.hint!, /--ca-cert/);
  });

  test('messages alone decide nothing: an error without a known code is not a network error', () => {
    assert.equal(networkError(new Error('other side closed'), 'x', 'h'), undefined);
    assert.equal(networkError(new Error('ECONNREFUSED'), 'x', 'h'), undefined);
    assert.equal(networkError(errno('ENOENT'), 'x', 'h'), undefined);
  });
});

test('notTls: a plain-HTTP peer answering a TLS handshake, by code', () => {
  assert.equal(notTls(errno('ERR_SSL_WRONG_VERSION_NUMBER')), true);
  assert.equal(notTls(new Error('x', { cause: errno('ECONNRESET') })), true);
  assert.equal(notTls(errno('DEPTH_ZERO_SELF_SIGNED_CERT')), false);
  assert.equal(notTls(new Error('wrong version number')), false);
});

test('causes: the chain, outermost first, five deep at most', () => {
  let e: Error = errno('A');
  for (let i = 0; i < 7; i++) e = new Error(`level ${i}`, { cause: e });
  assert.equal(causes(e).length, 5);
  assert.equal(causes(e)[0].message, 'level 6');
});
