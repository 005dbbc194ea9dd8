// WWW-Authenticate parsing and the Authenticator (bearer tokens per scope set, expiry, widening on
// insufficient_scope, the identity-token grant), with a fake token fetcher and a mocked clock.
import { afterEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator, basicHeader, parseChallenges, type TokenFetcher } from '../../src/registry/auth.js';
import type { Credential } from '../../src/registry/credentials.js';
import { UserError } from '../../src/util/errors.js';

describe('parseChallenges', () => {
  test('one Bearer challenge with quoted parameters; a comma inside quotes stays in the value', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  test('several challenges in one header, and in several headers', () => {
    const two = [
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 's' } },
    ];
    assert.deepEqual(parseChallenges('Basic realm="Registry Realm", Bearer realm="https://a/t", service="s"'), two);
    assert.deepEqual(parseChallenges(['Basic realm="Registry Realm"', 'Bearer realm="https://a/t",service="s"']), two);
  });

  test('quoted values with backslash escapes; unquoted values; spaces around "="', () => {
    assert.deepEqual(parseChallenges('Bearer realm="a\\"b\\\\c", error=insufficient_scope , scope = "x y"'), [
      { scheme: 'bearer', params: { realm: 'a"b\\c', error: 'insufficient_scope', scope: 'x y' } },
    ]);
  });

  test('scheme and parameter names are case-insensitive (lowercased); values keep their case', () => {
    assert.deepEqual(parseChallenges('BEARER Realm="HTTPS://A/T"'), [{ scheme: 'bearer', params: { realm: 'HTTPS://A/T' } }]);
  });

  test('a scheme without parameters, and nothing at all', () => {
    assert.deepEqual(parseChallenges('Negotiate, Basic'), [
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: {} },
    ]);
    assert.deepEqual(parseChallenges(undefined), []);
    assert.deepEqual(parseChallenges(''), []);
  });
});

test('basicHeader is base64 of USER:PASSWORD', () => {
  assert.equal(basicHeader('bob', 'p:w'), 'Basic ' + Buffer.from('bob:p:w').toString('base64'));
});

// ---------------------------------------------------------------------------------------------

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A token server: answers `reply(call)` (default: a fresh token "t1", "t2", … valid for `ttl`). */
function fakeFetcher(reply?: (c: Call, n: number) => { status: number; text: string }) {
  const calls: Call[] = [];
  const fetch: TokenFetcher = async (url, init) => {
    const c = { url, ...init };
    calls.push(c);
    await Promise.resolve();
    return reply ? reply(c, calls.length) : { status: 200, text: JSON.stringify({ token: `t${calls.length}`, expires_in: 300 }) };
  };
  return { calls, fetch };
}

const REALM = 'https://auth.example/token';
const BEARER = `Bearer realm="${REALM}",service="reg.example"`;
const PASSWORD = 'pass-Secret-1';
const bob: Credential = { kind: 'basic', username: 'bob', password: PASSWORD, source: '--creds' };
const scopeParams = (url: string) => new URL(url).searchParams.getAll('scope');

/** Sets Date.now() (the only clock the Authenticator reads). */
function clock(start = 1_000_000) {
  let now = start;
  mock.method(Date, 'now', () => now);
  return { advance: (ms: number) => (now += ms) };
}

afterEach(() => mock.restoreAll());

describe('Authenticator', () => {
  test('no challenge seen yet: no header; a bearer credential is sent as is', async () => {
    const { calls, fetch } = fakeFetcher();
    assert.equal(await new Authenticator(bob, fetch, 'reg.example').header(['repository:a:pull']), undefined);
    const tok = new Authenticator({ kind: 'bearer', token: 'raw-1', source: '--registry-token' }, fetch, 'reg.example');
    tok.setChallenge(BEARER);
    assert.equal(await tok.header(['repository:a:pull']), 'Bearer raw-1');
    assert.equal(calls.length, 0);
  });

  test('Bearer is preferred over Basic whichever comes first; Basic alone sends the password on each request', async () => {
    const { calls, fetch } = fakeFetcher();
    const a = new Authenticator(bob, fetch, 'reg.example');
    a.setChallenge(`Basic realm="r", ${BEARER}`);
    assert.equal(a.scheme, 'bearer');
    a.setChallenge([BEARER, 'Basic realm="r"']);
    assert.equal(a.scheme, 'bearer');

    const b = new Authenticator(bob, fetch, 'reg.example');
    b.setChallenge('Basic realm="r"');
    assert.equal(b.scheme, 'basic');
    assert.equal(await b.header(['x']), basicHeader('bob', PASSWORD));
    // An unknown scheme keeps what was known.
    b.setChallenge('Negotiate');
    assert.equal(b.scheme, 'basic');
    // Anonymous under Basic: nothing to send.
    const anon = new Authenticator(undefined, fetch, 'reg.example');
    anon.setChallenge('Basic realm="r"');
    assert.equal(await anon.header(['x']), undefined);
    assert.equal(calls.length, 0);
  });

  test('token request: GET realm?service=…&scope=… with Basic credentials; anonymous sends no Authorization', async () => {
    const { calls, fetch } = fakeFetcher();
    const a = new Authenticator(bob, fetch, 'reg.example');
    a.setChallenge(BEARER);
    assert.equal(await a.header(['repository:b:pull', 'repository:a:pull,push']), 'Bearer t1');
    assert.equal(calls[0].method, 'GET');
    const u = new URL(calls[0].url);
    assert.equal(u.origin + u.pathname, REALM);
    assert.equal(u.searchParams.get('service'), 'reg.example');
    assert.deepEqual(scopeParams(calls[0].url), ['repository:a:pull,push', 'repository:b:pull']);
    assert.equal(calls[0].headers.authorization, basicHeader('bob', PASSWORD));

    const anon = new Authenticator(undefined, fetch, 'reg.example');
    anon.setChallenge(`Bearer realm="${REALM}?account=x"`);
    await anon.header(['repository:a:pull']);
    assert.deepEqual(calls[1].headers, {});
    // A realm with a query gets "&", not a second "?".
    assert.equal(new URL(calls[1].url).searchParams.get('account'), 'x');
    assert.deepEqual(scopeParams(calls[1].url), ['repository:a:pull']);
  });

  test('tokens are cached per scope set (order-insensitive); concurrent requests share one fetch', async () => {
    clock();
    const { calls, fetch } = fakeFetcher();
    const a = new Authenticator(bob, fetch, 'reg.example');
    a.setChallenge(BEARER);
    const [h1, h2] = await Promise.all([a.header(['s1', 's2']), a.header(['s2', 's1'])]);
    assert.equal(h1, 'Bearer t1');
    assert.equal(h2, 'Bearer t1');
    assert.equal(await a.header(['s1', 's2']), 'Bearer t1');
    assert.equal(calls.length, 1);
    assert.equal(await a.header(['s1']), 'Bearer t2');
    assert.equal(calls.length, 2);
  });

  test('a token is fetched again shortly before expires_in runs out (default lifetime 60 s)', async () => {
    const t = clock();
    let ttl: number | undefined = 30;
    const { calls, fetch } = fakeFetcher((_c, n) => ({ status: 200, text: JSON.stringify({ token: `t${n}`, expires_in: ttl }) }));
    const a = new Authenticator(bob, fetch, 'reg.example');
    a.setChallenge(BEARER);
    assert.equal(await a.header(['s']), 'Bearer t1');
    t.advance(24_000); // 6 s left: still good
    assert.equal(await a.header(['s']), 'Bearer t1');
    t.advance(2_000); // 4 s left: within the early-refresh margin
    ttl = undefined;
    assert.equal(await a.header(['s']), 'Bearer t2');
    assert.equal(calls.length, 2);
    t.advance(54_000); // default 60 s: 6 s left
    assert.equal(await a.header(['s']), 'Bearer t2');
    t.advance(2_000);
    assert.equal(await a.header(['s']), 'Bearer t3');
  });

  test('a 401 drops cached tokens; insufficient_scope adds its scope to every later request', async () => {
    clock();
    const { calls, fetch } = fakeFetcher();
    const a = new Authenticator(bob, fetch, 'reg.example');
    a.setChallenge(BEARER);
    assert.equal(await a.header(['repository:app:pull,push']), 'Bearer t1');
    // Expired early (no error parameter): retry with a fresh token for the same scopes.
    assert.equal(a.unauthorized(BEARER, true), true);
    assert.equal(await a.header(['repository:app:pull,push']), 'Bearer t2');
    assert.deepEqual(scopeParams(calls[1].url), ['repository:app:pull,push']);

    assert.equal(a.unauthorized(`${BEARER},error="insufficient_scope",scope="repository:base:pull repository:other:pull"`, true), true);
    assert.equal(await a.header(['repository:app:pull,push']), 'Bearer t3');
    assert.deepEqual(scopeParams(calls[2].url), ['repository:app:pull,push', 'repository:base:pull', 'repository:other:pull']);
    // Later requests for other scopes carry the learnt ones too.
    await a.header(['repository:x:pull']);
    assert.deepEqual(scopeParams(calls[3].url), ['repository:base:pull', 'repository:other:pull', 'repository:x:pull']);
  });

  test('when a retry cannot help, unauthorized() says so', () => {
    const { fetch } = fakeFetcher();
    // Basic with a password already sent: the password is wrong.
    const b = new Authenticator(bob, fetch, 'reg.example');
    assert.equal(b.unauthorized('Basic realm="r"', false), true);
    assert.equal(b.unauthorized('Basic realm="r"', true), false);
    // Anonymous under Basic: nothing to try.
    assert.equal(new Authenticator(undefined, fetch, 'reg.example').unauthorized('Basic realm="r"', false), false);
    // A bearer token given by the user is final.
    const tok = new Authenticator({ kind: 'bearer', token: 'raw', source: '--registry-token' }, fetch, 'reg.example');
    tok.setChallenge(BEARER);
    assert.equal(tok.unauthorized(BEARER, true), false);
    // No challenge at all.
    assert.equal(new Authenticator(bob, fetch, 'reg.example').unauthorized(undefined, true), false);
  });

  test('identity token: the OAuth2 refresh_token grant as a form POST', async () => {
    const { calls, fetch } = fakeFetcher((_c, n) => ({ status: 200, text: JSON.stringify({ access_token: `at${n}` }) }));
    const a = new Authenticator({ kind: 'identity', token: 'refresh-Secret-2', source: 'config.json' }, fetch, 'reg.example');
    a.setChallenge(BEARER);
    assert.equal(await a.header(['repository:b:pull', 'repository:a:push']), 'Bearer at1');
    const c = calls[0];
    assert.equal(c.method, 'POST');
    assert.equal(c.url, REALM);
    assert.equal(c.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(c.headers.authorization, undefined);
    const form = new URLSearchParams(c.body);
    assert.deepEqual(Object.fromEntries(form), {
      service: 'reg.example',
      grant_type: 'refresh_token',
      refresh_token: 'refresh-Secret-2',
      client_id: 'longshore',
      scope: 'repository:a:push repository:b:pull',
    });
  });

  describe('token server failures: clear messages that never hold the password or a token', () => {
    const secrets = [PASSWORD, Buffer.from(`bob:${PASSWORD}`).toString('base64'), 'refresh-Secret-2'];
    const clean = (err: unknown, re: RegExp) => {
      assert.ok(err instanceof UserError, String(err));
      assert.match(err.message, re);
      for (const s of secrets) assert.ok(!(err.message + (err.hint ?? '')).includes(s), `message leaks ${s}: ${err.message}`);
      return true;
    };
    const failing = (cred: Credential | undefined, status: number, text: string, challenge = BEARER) => {
      const a = new Authenticator(cred, fakeFetcher(() => ({ status, text })).fetch, 'reg.example');
      a.setChallenge(challenge);
      return a.header(['repository:app:pull']);
    };

    test('401/403 names the credential source and the scope; anonymous gets a hint to log in', async () => {
      await assert.rejects(failing(bob, 401, ''), (e) =>
        clean(e, /^reg\.example: the token server auth\.example refused the credentials from --creds \(401\) for repository:app:pull$/),
      );
      await assert.rejects(failing({ kind: 'identity', token: 'refresh-Secret-2', source: 'config.json' }, 403, ''), (e) => clean(e, /refused the credentials from config\.json \(403\)/));
      await assert.rejects(failing(undefined, 401, ''), (e) => clean(e, /refused anonymous access \(401\)/) && /--creds/.test((e as UserError).hint ?? ''));
    });

    test('other statuses, non-JSON and token-less answers', async () => {
      await assert.rejects(failing(bob, 500, 'upstream down'), (e) => clean(e, /token server answered 500: upstream down/));
      await assert.rejects(failing(bob, 200, '<html>'), (e) => clean(e, /not JSON/));
      await assert.rejects(failing(bob, 200, '{"expires_in":60}'), (e) => clean(e, /without a token/));
      await assert.rejects(failing(bob, 200, '{}', 'Bearer service="x"'), (e) => clean(e, /bearer challenge without a realm/));
    });

    test('a failed request is not cached: the next call asks again', async () => {
      let n = 0;
      const a = new Authenticator(bob, fakeFetcher(() => (++n === 1 ? { status: 500, text: '' } : { status: 200, text: '{"token":"ok"}' })).fetch, 'reg.example');
      a.setChallenge(BEARER);
      await assert.rejects(a.header(['s']));
      assert.equal(await a.header(['s']), 'Bearer ok');
    });
  });
});
