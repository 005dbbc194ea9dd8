// Registry traffic through a forward proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), against real
// components: Debian's docker-registry with TLS for `registry.test`, a name this machine cannot
// resolve, and a CONNECT-capable proxy of the suite's own that maps it to 127.0.0.1, so the
// registry is reachable only through the proxy. The proxy records what it could read; registry
// credentials must never be among it. Covered: copy, lock and the blob fetch inside a Nix build;
// Basic and token auth (the realm through the proxy too); proxy credentials and their failures;
// NO_PROXY; the lowercase variables; loopback registries; plain-HTTP registries; an https:// proxy.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { buildExample, longshore, NIX_OPTS, nixBuild, ROOT, tmp } from '../helpers/nix.js';
import { freePort, push, startRegistry, type PushResult, type Registry } from '../helpers/registry.js';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { startTokenServer, type TokenServer } from '../helpers/token-server.js';
import { makePki, type TestPki } from '../helpers/registry-tls.js';

const USER = 'carol';
const PASS = 'reg-Secret-77';
const PUSER = 'proxy-user';
const PPASS = 'pr0xy P@ss:w/rd'; // needs percent-encoding in the URL
const b64 = (s: string) => Buffer.from(s).toString('base64');
const HOSTS = { 'registry.test': '127.0.0.1', 'auth.test': '127.0.0.1' };

/** Every proxy variable unset, then `vars`: the tests' own environment must not leak in. */
const proxyEnv = (vars: Record<string, string> = {}) => ({
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
  LONGSHORE_PROXY_LOOPBACK: '',
  ...vars,
});

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One line of error, an optional hint, and no stack trace. */
function assertCleanFailure(r: PushResult | { exitCode: number; output: string }, message: RegExp): void {
  assert.notEqual(r.exitCode, 0, r.output);
  assert.match(r.output, message);
  assert.doesNotMatch(r.output, /internal error|^\s+at /m, r.output);
}

/** Neither the registry's nor the proxy's secrets in what longshore printed. */
function assertNoSecrets(output: string): void {
  for (const s of [PASS, b64(`${USER}:${PASS}`), PPASS, encodeURIComponent(PPASS), b64(`${PUSER}:${PPASS}`)]) assert.ok(!output.includes(s), `a secret was printed: ${s}`);
}

/** What the proxy could read holds no registry credentials: no Authorization header, no password. */
function assertProxySawNoRegistryCredentials(proxy: ForwardProxy): void {
  const seen = proxy.seenBytes().toString('latin1');
  assert.ok(!seen.includes(b64(`${USER}:${PASS}`)), 'the proxy saw the Basic credentials');
  assert.ok(!seen.includes(PASS), 'the proxy saw the password');
  assert.doesNotMatch(seen, /^authorization:/im, 'the proxy saw an Authorization header');
}

/**
 * The manifest digest of `ref` as skopeo sees it, trusting the suite CA: straight at 127.0.0.1:PORT,
 * or, with `proxyUrl`, at registry.test:PORT through the proxy (Go reads HTTPS_PROXY too).
 */
async function skopeoDigestOf(pki: TestPki, ref: string, creds: string, proxyUrl?: string): Promise<string> {
  const certs = tmp('longshore-certs-');
  copyFileSync(pki.ca, join(certs, 'ca.crt'));
  const r = await execa('skopeo', ['inspect', '--cert-dir', certs, '--creds', creds, `docker://${ref}`], { env: proxyEnv(proxyUrl ? { HTTPS_PROXY: proxyUrl } : {}) });
  return (JSON.parse(r.stdout) as { Digest: string }).Digest;
}

async function htpasswdFile(): Promise<string> {
  const file = join(tmp('longshore-htpasswd-'), 'htpasswd');
  writeFileSync(file, (await execa('htpasswd', ['-Bbn', USER, PASS])).stdout + '\n');
  return file;
}

let hello: string;
before(async () => {
  hello = await buildExample('hello');
});

describe('an HTTPS registry with Basic auth, reachable only through the proxy', { timeout: 600_000 }, () => {
  let pki: TestPki;
  let reg: Registry;
  let proxy: ForwardProxy;
  let ref: string;
  const creds = ['--creds', `${USER}:${PASS}`];
  before(async () => {
    pki = makePki(['registry.test', 'auth.test']);
    reg = await startRegistry({ tls: { cert: pki.cert, key: pki.key, ca: pki.ca }, htpasswd: await htpasswdFile() });
    proxy = await startForwardProxy({ hosts: HOSTS, auth: { user: PUSER, password: PPASS } });
    ref = `registry.test:${reg.port}/proxied/hello`;
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  test('a push through HTTPS_PROXY (with proxy credentials) works; skopeo sees it; the proxy saw CONNECT and ciphertext only', async () => {
    proxy.reset();
    const r = await push(hello, `${ref}:v1`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth, LONGSHORE_DEBUG: '1' }));
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(proxy.connects.length > 0);
    assert.deepEqual([...new Set(proxy.connects)], [`registry.test:${reg.port}`]);
    assert.equal(proxy.requests.length, 0, 'no request in the clear');
    assertProxySawNoRegistryCredentials(proxy);
    // The debug log names the proxy with its password replaced, and the registry's Authorization redacted.
    assert.match(r.output, new RegExp(`> GET https://registry\\.test:${reg.port}/v2/ via http://${esc(PUSER)}:xxxxx@127\\.0\\.0\\.1:${proxy.port} `));
    assert.match(r.output, /authorization":"Basic <redacted>"/);
    assertNoSecrets(r.output);
    assert.equal(await skopeoDigestOf(pki, `${reg.host}/proxied/hello:v1`, `${USER}:${PASS}`), r.json!.manifestDigest);
  });

  test('lowercase https_proxy works, and wins over HTTPS_PROXY', async () => {
    proxy.reset();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = await push(hello, `${ref}:v2`, [...creds, '--ca-cert', pki.ca], proxyEnv({ https_proxy: proxy.urlWithAuth, HTTPS_PROXY: dead }));
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(r.json!.layers.every((l) => l.action === 'skipped'));
    assert.ok(proxy.connects.length > 0);
    // An empty lowercase variable counts as unset: the uppercase one is used.
    proxy.reset();
    const r2 = await push(hello, `${ref}:v3`, [...creds, '--ca-cert', pki.ca], proxyEnv({ https_proxy: '', HTTPS_PROXY: proxy.urlWithAuth }));
    assert.equal(r2.exitCode, 0, r2.output);
    assert.ok(proxy.connects.length > 0);
  });

  test('without a proxy, registry.test does not resolve: one line naming it', async () => {
    const r = await push(hello, `${ref}:none`, [...creds, '--ca-cert', pki.ca], proxyEnv());
    assertCleanFailure(r, new RegExp(`^longshore: error: connecting to the registry at registry\\.test:${reg.port}: the host name does not resolve$`, 'm'));
    assert.match(r.output, /^hint: check the registry name registry\.test .*HTTPS_PROXY/m);
  });

  test('HTTP_PROXY alone does not carry HTTPS traffic (as in curl and Go)', async () => {
    proxy.reset();
    const r = await push(hello, `${ref}:http-only`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTP_PROXY: proxy.urlWithAuth }));
    assertCleanFailure(r, /registry\.test:\d+: the host name does not resolve/);
    assert.equal(proxy.connects.length + proxy.requests.length, 0);
  });

  test('NO_PROXY sends matching hosts directly (so registry.test does not resolve); others still go through the proxy', async () => {
    for (const noProxy of ['registry.test', '.test', 'test', `registry.test:${reg.port}`, '*', 'other.example, REGISTRY.TEST']) {
      proxy.reset();
      const r = await push(hello, `${ref}:np`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth, NO_PROXY: noProxy }));
      assertCleanFailure(r, /registry\.test:\d+: the host name does not resolve/);
      assert.equal(proxy.connects.length, 0, `NO_PROXY=${noProxy}`);
    }
    for (const noProxy of ['other.test', `registry.test:${reg.port + 1}`, '*.registry.test', 'istry.test', '127.0.0.1']) {
      proxy.reset();
      const r = await push(hello, `${ref}:np`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth, no_proxy: noProxy }));
      assert.equal(r.exitCode, 0, `NO_PROXY=${noProxy}: ${r.output}`);
      assert.ok(proxy.connects.length > 0, `NO_PROXY=${noProxy}`);
    }
  });

  test('a wrong proxy password, or none: 407, naming the proxy but not the password', async () => {
    proxy.reset();
    const wrong = proxy.urlWithAuth.replace(encodeURIComponent(PPASS), 'not-the-password');
    const r = await push(hello, `${ref}:407`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: wrong, LONGSHORE_DEBUG: '1' }));
    assertCleanFailure(
      r,
      new RegExp(`^longshore: error: connecting to the registry at registry\\.test:${reg.port}: the proxy http://${esc(PUSER)}:xxxxx@127\\.0\\.0\\.1:${proxy.port} \\(HTTPS_PROXY\\) refused its credentials \\(407 Proxy Authentication Required\\)$`, 'm'),
    );
    assert.match(r.output, /^hint: check the user and password in HTTPS_PROXY/m);
    assert.ok(!r.output.includes('not-the-password'), 'the wrong password was printed');
    assert.equal(proxy.authFailures, 1, 'a 407 is not retried');
    const none = await push(hello, `${ref}:407`, [...creds, '--ca-cert', pki.ca], proxyEnv({ https_proxy: proxy.url }));
    assertCleanFailure(none, new RegExp(`the proxy http://127\\.0\\.0\\.1:${proxy.port} \\(https_proxy\\) asks for credentials \\(407 Proxy Authentication Required\\)$`, 'm'));
    assert.match(none.output, /^hint: put them in https_proxy: http:\/\/USER:PASSWORD@HOST:PORT/m);
  });

  test('a proxy that refuses connections, does not resolve, or answers CONNECT with 403 or 502: one line naming it', async () => {
    const closed = await freePort();
    const refused = await push(hello, `${ref}:x`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: `http://${PUSER}:secret-${closed}@127.0.0.1:${closed}` }));
    assertCleanFailure(
      refused,
      new RegExp(`^longshore: error: connecting to the registry at registry\\.test:${reg.port}: cannot reach the proxy http://${esc(PUSER)}:xxxxx@127\\.0\\.0\\.1:${closed} \\(HTTPS_PROXY\\): connection refused after 3 attempts$`, 'm'),
    );
    assert.match(refused.output, new RegExp(`^hint: is a proxy listening at 127\\.0\\.0\\.1:${closed}\\? check HTTPS_PROXY, or list registry\\.test in NO_PROXY`, 'm'));
    assert.ok(!refused.output.includes(`secret-${closed}`));

    const unresolved = await push(hello, `${ref}:x`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: 'proxy.invalid:3128' }));
    assertCleanFailure(unresolved, /^longshore: error: connecting to the registry at registry\.test:\d+: cannot reach the proxy http:\/\/proxy\.invalid:3128 \(HTTPS_PROXY\): the host name does not resolve$/m);
    assert.match(unresolved.output, /^hint: check the proxy's host name in HTTPS_PROXY$/m);

    const policy = await startForwardProxy({ hosts: HOSTS, refuse: () => 403 });
    const noRoute = await startForwardProxy({ hosts: {} });
    try {
      const denied = await push(hello, `${ref}:x`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: policy.url }));
      assertCleanFailure(denied, new RegExp(`: the proxy http://127\\.0\\.0\\.1:${policy.port} \\(HTTPS_PROXY\\) refused to connect to registry\\.test:${reg.port} \\(403\\)$`, 'm'));
      assert.match(denied.output, /^hint: the proxy does not allow registry\.test:\d+: ask its administrators, or list registry\.test in NO_PROXY/m);
      assert.equal(policy.connects.length, 1, '403 is not retried');
      const bad = await push(hello, `${ref}:x`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: noRoute.url }));
      assertCleanFailure(bad, new RegExp(`: the proxy http://127\\.0\\.0\\.1:${noRoute.port} \\(HTTPS_PROXY\\) could not connect to registry\\.test:${reg.port} \\(502\\) after 3 attempts$`, 'm'));
    } finally {
      await policy.stop();
      await noRoute.stop();
    }
  });

  test('a proxy variable that is no proxy URL: one line naming the variable, not its value', async () => {
    const socks = await push(hello, `${ref}:x`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: `socks5://${PUSER}:${encodeURIComponent(PPASS)}@127.0.0.1:1080` }));
    assertCleanFailure(socks, /^longshore: error: HTTPS_PROXY: socks5:\/\/ proxies are not supported$/m);
    assertNoSecrets(socks.output);
    // A password that was not percent-encoded breaks the URL; the value is not repeated.
    const raw = await push(hello, `${ref}:x`, [...creds, '--ca-cert', pki.ca], proxyEnv({ https_proxy: `http://${PUSER}:${PPASS}@127.0.0.1:3128` }));
    assertCleanFailure(raw, /^longshore: error: https_proxy is not a proxy URL$/m);
    assert.match(raw.output, /^hint: write it as http:\/\/\[USER:PASSWORD@\]HOST\[:PORT\], with special characters in USER and PASSWORD percent-encoded$/m);
    assertNoSecrets(raw.output);
  });

  test('TLS options apply to the registry inside the tunnel: without --ca-cert the registry certificate is refused, naming the registry', async () => {
    const r = await push(hello, `${ref}:tls`, creds, proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth }));
    assertCleanFailure(r, new RegExp(`^longshore: error: connecting to the registry at registry\\.test:${reg.port}: TLS failed: .*CA`, 'm'));
    const insecure = await push(hello, `${ref}:tls`, [...creds, '--tls-verify=false'], proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth }));
    assert.equal(insecure.exitCode, 0, insecure.output);
    // NODE_EXTRA_CA_CERTS is trusted inside the tunnel too.
    const extra = await push(hello, `${ref}:tls`, creds, proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth, NODE_EXTRA_CA_CERTS: pki.ca }));
    assert.equal(extra.exitCode, 0, extra.output);
  });

  test('an https:// proxy: its certificate trusted through NODE_EXTRA_CA_CERTS, the registry CA through --ca-cert', async () => {
    const tlsProxy = await startForwardProxy({ hosts: HOSTS, auth: { user: PUSER, password: PPASS }, tls: { cert: pki.cert, key: pki.key } });
    try {
      const r = await push(hello, `${ref}:https-proxy`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: tlsProxy.urlWithAuth, NODE_EXTRA_CA_CERTS: pki.ca }));
      assert.equal(r.exitCode, 0, r.output);
      assert.ok(tlsProxy.connects.length > 0);
      // --ca-cert is the registry's: it does not make the proxy's certificate trusted.
      const untrusted = await push(hello, `${ref}:https-proxy`, [...creds, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: tlsProxy.urlWithAuth }));
      assertCleanFailure(untrusted, new RegExp(`: TLS with the proxy https://${esc(PUSER)}:xxxxx@127\\.0\\.0\\.1:${tlsProxy.port} \\(HTTPS_PROXY\\) failed: .*\\(`, 'm'));
      assert.match(untrusted.output, /^hint: the proxy's certificate must be trusted by the system store or NODE_EXTRA_CA_CERTS/m);
      assertNoSecrets(untrusted.output);
    } finally {
      await tlsProxy.stop();
    }
  });

  test('lock, and the blob fetch inside a Nix build (impureEnvVars from nix-build\'s own environment), go through the proxy', async () => {
    // A layer no earlier run has fetched, so the fixed-output derivation really runs.
    const nonce = randomBytes(6).toString('hex');
    const base = await nixBuild(`let n = pkgs.runCommand "proxy-nonce-${nonce}" {} "mkdir -p $out; echo ${nonce} > $out/nonce"; in longshore.buildImage { name = "proxied-base"; copyToRoot = [ n ]; }`);
    const env = proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth });
    const p = await push(base, `registry.test:${reg.port}/proxied/base:1`, [...creds, '--ca-cert', pki.ca], env);
    assert.equal(p.exitCode, 0, p.output);

    proxy.reset();
    const lockFile = join(tmp('longshore-lock-'), 'base.lock.json');
    const l = await longshore(['lock', `docker://registry.test:${reg.port}/proxied/base:1`, '-o', lockFile, ...creds, '--ca-cert', pki.ca], { ...env, HOME: tmp('longshore-home-'), REGISTRY_AUTH_FILE: '' });
    assert.equal(l.exitCode, 0, l.all);
    assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).manifest.digest, p.json!.manifestDigest);
    assert.ok(proxy.connects.includes(`registry.test:${reg.port}`));
    assertProxySawNoRegistryCredentials(proxy);

    const file = join(tmp('longshore-nix-'), 'expr.nix');
    writeFileSync(
      file,
      `let l = import ${ROOT}/test/nix/lib.nix { node = "${process.execPath}"; dist = ${ROOT}/dist; };
       in l.longshore.pullImageFromManifest { imageManifest = ${lockFile}; caCert = ${pki.ca}; }\n`,
    );
    const build = (vars: Record<string, string>) =>
      execa('nix-build', [file, '--no-out-link', ...NIX_OPTS], { reject: false, all: true, env: { ...process.env, ...proxyEnv(vars), LONGSHORE_REGISTRY_USERNAME: USER, LONGSHORE_REGISTRY_PASSWORD: PASS } });
    // Without the variable, the fetch cannot resolve registry.test: the variable is what carries it.
    const direct = await build({});
    assert.notEqual(direct.exitCode, 0, direct.all);
    assert.match(direct.all ?? '', /longshore: error: connecting to the registry at registry\.test:\d+: the host name does not resolve/);
    proxy.reset();
    const ok = await build({ HTTPS_PROXY: proxy.urlWithAuth });
    assert.equal(ok.exitCode, 0, ok.all);
    assert.match(ok.all ?? '', /fetched sha256:[0-9a-f]{64} from registry\.test:\d+\/proxied\/base/);
    assert.ok(proxy.connects.includes(`registry.test:${reg.port}`), 'the fetch went through the proxy');
    assertProxySawNoRegistryCredentials(proxy);
    assertNoSecrets(ok.all ?? '');
  });
});

describe('token auth: the realm goes through the proxy as the registry does', { timeout: 300_000 }, () => {
  let pki: TestPki;
  let ts: TokenServer;
  let reg: Registry;
  let proxy: ForwardProxy;
  const service = 'longshore-proxy-test';
  before(async () => {
    pki = makePki(['registry.test', 'auth.test']);
    ts = await startTokenServer({ service, issuer: 'longshore-test-issuer', users: { [USER]: PASS }, tls: { cert: pki.cert, key: pki.key }, realmHost: 'auth.test' });
    reg = await startRegistry({ tls: { cert: pki.cert, key: pki.key, ca: pki.ca }, token: { realm: ts.realm, service, issuer: 'longshore-test-issuer', rootcertbundle: ts.rootcertbundle } });
    proxy = await startForwardProxy({ hosts: HOSTS });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    await ts?.stop();
  });

  test('a push with Basic credentials at an https realm that only the proxy resolves', async () => {
    const realmHost = new URL(ts.realm).host;
    const r = await push(hello, `registry.test:${reg.port}/tok/hello:v1`, ['--creds', `${USER}:${PASS}`, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: proxy.url }));
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(proxy.connects.includes(realmHost), JSON.stringify(proxy.connects));
    assert.ok(proxy.connects.includes(`registry.test:${reg.port}`));
    assert.ok(ts.requests.some((q) => q.user === USER));
    assertProxySawNoRegistryCredentials(proxy);
    // The realm is auth.test, which only the proxy resolves: skopeo goes through the same proxy.
    assert.equal(await skopeoDigestOf(pki, `registry.test:${reg.port}/tok/hello:v1`, `${USER}:${PASS}`, proxy.url), r.json!.manifestDigest);
  });

  test('NO_PROXY applies to the realm\'s host: listed, auth.test is looked up directly and does not resolve', async () => {
    const r = await push(hello, `registry.test:${reg.port}/tok/hello:v2`, ['--creds', `${USER}:${PASS}`, '--ca-cert', pki.ca], proxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'auth.test' }));
    assertCleanFailure(r, /^longshore: error: getting a token from auth\.test:\d+: the host name does not resolve$/m);
  });
});

describe('loopback registries', { timeout: 300_000 }, () => {
  let reg: Registry;
  let proxy: ForwardProxy;
  before(async () => {
    reg = await startRegistry();
    proxy = await startForwardProxy({ hosts: HOSTS });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  test('with HTTPS_PROXY and HTTP_PROXY set, 127.0.0.1 and localhost are reached directly: the proxy sees nothing', async () => {
    for (const host of [reg.host, `localhost:${reg.port}`]) {
      proxy.reset();
      const r = await push(hello, `${host}/loop/hello:v1`, [], proxyEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }));
      assert.equal(r.exitCode, 0, r.output);
      assert.equal(proxy.connects.length + proxy.requests.length, 0, host);
    }
  });

  test('LONGSHORE_PROXY_LOOPBACK=1 sends them through the proxy (plain HTTP as absolute-form requests)', async () => {
    proxy.reset();
    const r = await push(hello, `${reg.host}/loop/hello:v2`, [], proxyEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, LONGSHORE_PROXY_LOOPBACK: '1' }));
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(proxy.requests.some((q) => q.method === 'GET' && q.url === `http://${reg.host}/v2/`), JSON.stringify(proxy.requests.map((q) => `${q.method} ${q.url}`)));
    assert.ok(proxy.requests.some((q) => q.method === 'PUT' && q.url.startsWith(`http://${reg.host}/v2/loop/hello/manifests/v2`)));
  });
});

describe('plain-HTTP registries through the proxy', { timeout: 300_000 }, () => {
  let anon: Registry;
  let basic: Registry;
  let proxy: ForwardProxy;
  before(async () => {
    [anon, basic] = await Promise.all([startRegistry(), startRegistry({ htpasswd: await htpasswdFile() })]);
    proxy = await startForwardProxy({ hosts: HOSTS, auth: { user: PUSER, password: PPASS } });
  });
  after(async () => {
    await proxy?.stop();
    await anon?.stop();
    await basic?.stop();
  });

  test('anonymous: --tls-verify=false falls back to plain HTTP, sent to the proxy in absolute form (HTTP_PROXY)', async () => {
    proxy.reset();
    const r = await push(hello, `registry.test:${anon.port}/plain/hello:v1`, ['--tls-verify=false'], proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth, HTTP_PROXY: proxy.urlWithAuth }));
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(proxy.connects.includes(`registry.test:${anon.port}`), 'HTTPS was tried first, through a tunnel');
    assert.ok(proxy.requests.some((q) => q.url === `http://registry.test:${anon.port}/v2/`));
    assert.ok(proxy.requests.every((q) => /^proxy-authorization: Basic /im.test(q.raw.toString('latin1'))), 'Proxy-Authorization on every request to the proxy');
    assertNoSecrets(r.output);
    const inspect = await execa('skopeo', ['inspect', '--tls-verify=false', `docker://${anon.host}/plain/hello:v1`], { env: proxyEnv() });
    assert.equal((JSON.parse(inspect.stdout) as { Digest: string }).Digest, r.json!.manifestDigest);
  });

  test('with credentials: refused before anything secret is sent, and the proxy never saw them', async () => {
    proxy.reset();
    const r = await push(hello, `registry.test:${basic.port}/plain/hello:v1`, ['--tls-verify=false', '--creds', `${USER}:${PASS}`], proxyEnv({ HTTPS_PROXY: proxy.urlWithAuth, HTTP_PROXY: proxy.urlWithAuth }));
    assertCleanFailure(
      r,
      new RegExp(`^longshore: error: [^\\n]+ registry\\.test:${basic.port}/plain/hello: not sending the credentials for registry\\.test:${basic.port} through the proxy http://${esc(PUSER)}:xxxxx@127\\.0\\.0\\.1:${proxy.port} \\(HTTP_PROXY\\) in plain HTTP, where the proxy could read them$`, 'm'),
    );
    assert.match(r.output, /^hint: serve the registry over HTTPS, or list registry\.test in NO_PROXY to reach it directly$/m);
    assert.ok(proxy.requests.length > 0, 'the anonymous GET /v2/ went through the proxy');
    assertProxySawNoRegistryCredentials(proxy);
    assertNoSecrets(r.output);
  });
});
