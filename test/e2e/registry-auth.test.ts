// Registry auth against the real registry: htpasswd Basic, a spec token server (anonymous, Basic,
// expiry mid-push), every credential source, TLS with a suite-made CA; secrets never printed.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildExample, nixBuild, tmp } from '../helpers/nix.js';
import { push, skopeoDigest, startRegistry, variantExpr, type Registry } from '../helpers/registry.js';
import { startTokenServer, type TokenServer } from '../helpers/token-server.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makePki } from '../helpers/registry-tls.js';

const USER = 'alice';
const PASS = 'pa55-Secret-xyz';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let hello: string;
before(async () => {
  hello = await buildExample('hello');
});

describe('htpasswd Basic auth', () => {
  let reg: Registry;
  before(async () => {
    const dir = tmp('longshore-htpasswd-');
    const file = join(dir, 'htpasswd');
    const r = await execa('htpasswd', ['-Bbn', USER, PASS]);
    writeFileSync(file, r.stdout + '\n');
    reg = await startRegistry({ htpasswd: file });
  });
  after(() => reg?.stop());

  test('no credentials: a clear 401 naming what failed', async () => {
    const r = await push(hello, `${reg.host}/basic/hello:none`);
    assert.notEqual(r.exitCode, 0);
    assert.match(r.output, /registry answered 401 \(UNAUTHORIZED/);
    assert.match(r.output, /hint: no credentials found for 127.0.0.1:\d+: use --creds/);
  });

  test('a wrong password fails without printing it, even with LONGSHORE_DEBUG=1', async () => {
    const r = await push(hello, `${reg.host}/basic/hello:wrong`, ['--creds', `${USER}:wrong-${PASS}`], { LONGSHORE_DEBUG: '1' });
    assert.notEqual(r.exitCode, 0);
    assert.match(r.output, /debug: \[\d+ ms\] > GET/);
    assert.ok(!r.output.includes(PASS), 'password printed');
    assert.ok(!r.output.includes(b64(`${USER}:wrong-${PASS}`)), 'encoded credentials printed');
    assert.match(r.output, /authorization":"Basic <redacted>"/);
  });

  test('every credential source works', async () => {
    const dir = tmp('longshore-creds-');
    const credsFile = join(dir, 'creds');
    writeFileSync(credsFile, `USERNAME=${USER}\nPASSWORD=${PASS}\n`);
    const authfile = join(dir, 'auth.json');
    writeFileSync(authfile, JSON.stringify({ auths: { [reg.host]: { auth: b64(`${USER}:${PASS}`) } } }));
    // A docker config using a credential helper (the docker-credential-<name> get protocol).
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker-credential-suite'), `#!/bin/sh\necho "$NODE_EXTRA_CA_CERTS" >> ${dir}/helper-saw\nread url\n[ "$url" = "${reg.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\necho '{"ServerURL":"'$url'","Username":"${USER}","Secret":"${PASS}"}'\n`);
    chmodSync(join(bin, 'docker-credential-suite'), 0o755);
    const dockerDir = join(dir, 'docker');
    mkdirSync(dockerDir);
    writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'suite' } }));
    const storeDir = join(dir, 'docker-store');
    mkdirSync(storeDir);
    writeFileSync(join(storeDir, 'config.json'), JSON.stringify({ auths: {}, credsStore: 'suite' }));
    const xdg = join(dir, 'xdg');
    mkdirSync(join(xdg, 'containers'), { recursive: true });
    writeFileSync(join(xdg, 'containers/auth.json'), JSON.stringify({ auths: { [`${reg.host}/basic`]: { auth: b64(`${USER}:${PASS}`) }, [`${reg.host}/other`]: { auth: b64('x:y') } } }));
    const path = `${bin}:${process.env.PATH}`;
    const cases: [string, string[], Record<string, string>][] = [
      ['--creds', ['--creds', `${USER}:${PASS}`], {}],
      ['--creds-file', ['--creds-file', credsFile], {}],
      ['--authfile', ['--authfile', authfile], {}],
      ['REGISTRY_AUTH_FILE', [], { REGISTRY_AUTH_FILE: authfile }],
      ['XDG_CONFIG_HOME auth.json, longest key', [], { XDG_CONFIG_HOME: xdg }],
      // NODE_EXTRA_CA_CERTS reaches the programs longshore starts.
      ['credHelpers', [], { DOCKER_CONFIG: dockerDir, PATH: path, NODE_EXTRA_CA_CERTS: join(dir, 'extra-ca.pem') }],
      ['credsStore', [], { DOCKER_CONFIG: storeDir, PATH: path }],
      ['environment', [], { LONGSHORE_REGISTRY_USERNAME: USER, LONGSHORE_REGISTRY_PASSWORD: PASS }],
    ];
    for (const [name, args, env] of cases) {
      const r = await push(hello, `${reg.host}/basic/hello:v1`, args, env);
      assert.equal(r.exitCode, 0, `${name}: ${r.output}`);
      assert.ok(!r.output.includes(PASS), `${name}: password printed`);
    }
    assert.ok(await skopeoDigest(`${reg.host}/basic/hello:v1`, ['--tls-verify=false', '--creds', `${USER}:${PASS}`]));
    assert.ok(readFileSync(join(dir, 'helper-saw'), 'utf8').split('\n').includes(join(dir, 'extra-ca.pem')), 'the helper saw NODE_EXTRA_CA_CERTS');
  });
});

describe('token auth (distribution token spec)', () => {
  let reg: Registry;
  let ts: TokenServer;
  const service = 'longshore-test-registry';
  before(async () => {
    ts = await startTokenServer({ service, issuer: 'longshore-test-issuer', users: { [USER]: PASS } });
    reg = await startRegistry({ token: { realm: ts.realm, service, issuer: 'longshore-test-issuer', rootcertbundle: ts.rootcertbundle } });
  });
  after(async () => {
    await reg?.stop();
    await ts?.stop();
  });

  test('anonymous tokens allow pull only: push is refused clearly', async () => {
    const r = await push(hello, `${reg.host}/tok/hello:anon`);
    assert.notEqual(r.exitCode, 0);
    assert.match(r.output, /401/);
    assert.ok(ts.requests.some((q) => q.user === 'anonymous' && q.scopes.includes('repository:tok/hello:pull,push')));
  });

  test('Basic credentials at the realm give a push token; one token per scope set is reused', async () => {
    ts.requests.length = 0;
    const r = await push(hello, `${reg.host}/tok/hello:v1`, ['--creds', `${USER}:${PASS}`]);
    assert.equal(r.exitCode, 0, r.output);
    assert.equal(ts.requests.length, 1, JSON.stringify(ts.requests));
    assert.equal(await skopeoDigest(`${reg.host}/tok/hello:v1`, ['--tls-verify=false', '--creds', `${USER}:${PASS}`]), r.json!.manifestDigest);
  });

  test('--registry-token sends a token as is', async () => {
    const res = await fetch(`${ts.realm}?service=${service}&scope=repository:tok/hello:pull,push`, { headers: { authorization: 'Basic ' + b64(`${USER}:${PASS}`) } });
    const { token } = (await res.json()) as { token: string };
    const r = await push(hello, `${reg.host}/tok/hello:v2`, ['--registry-token', token]);
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(!r.output.includes(token));
  });

  test('a token that expires mid-push (unannounced) is refreshed and the push completes', async () => {
    const img = await nixBuild(variantExpr('token-expiry'));
    // Tokens really live 2-3 s at the registry (exp has whole seconds) but claim 300 s; every PUT
    // and POST is slowed by 700 ms. A fresh token must outlive one layer's POST + PUT (1.4 s): with
    // 1-2 s, a run could draw short tokens on every retry and fail.
    const ts2 = await startTokenServer({ service, issuer: 'longshore-test-issuer', users: { [USER]: PASS }, ttl: 3, announce: 300 });
    const reg2 = await startRegistry({ token: { realm: ts2.realm, service, issuer: 'longshore-test-issuer', rootcertbundle: ts2.rootcertbundle } });
    const proxy: FaultProxy = await startFaultProxy(reg2.port);
    try {
      proxy.setRule((q) => (q.method === 'PUT' || q.method === 'POST' ? { kind: 'delay', ms: 700 } : undefined));
      const r = await push(img, `${proxy.host}/tok/variant:v1`, ['--creds', `${USER}:${PASS}`, '--jobs', '1']);
      assert.equal(r.exitCode, 0, r.output);
      assert.ok(ts2.requests.length >= 2, `token refreshed (${ts2.requests.length} token requests)`);
      assert.equal(await skopeoDigest(`${reg2.host}/tok/variant:v1`, ['--tls-verify=false', '--creds', `${USER}:${PASS}`]), r.json!.manifestDigest);
    } finally {
      await proxy.stop();
      await reg2.stop();
      await ts2.stop();
    }
  });
});

describe('TLS', () => {
  let reg: Registry;
  let pki: ReturnType<typeof makePki>;
  before(async () => {
    pki = makePki();
    reg = await startRegistry({ tls: { cert: pki.cert, key: pki.key, ca: pki.ca } });
  });
  after(() => reg?.stop());

  test('HTTPS with --ca-cert; an unknown CA fails with a hint; --tls-verify=false accepts it', async () => {
    const ok = await push(hello, `${reg.host}/tls/hello:v1`, ['--ca-cert', pki.ca]);
    assert.equal(ok.exitCode, 0, ok.output);
    const bad = await push(hello, `${reg.host}/tls/hello:v2`);
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.output, /TLS failed/);
    assert.match(bad.output, /--ca-cert/);
    const insecure = await push(hello, `${reg.host}/tls/hello:v3`, ['--tls-verify=false']);
    assert.equal(insecure.exitCode, 0, insecure.output);
    assert.ok(insecure.json!.layers.every((l) => l.action === 'skipped'));
    assert.equal(await skopeoDigest(`${reg.host}/tls/hello:v1`, ['--cert-dir', pki.dir, '--tls-verify=true']).catch(() => undefined) ?? (await skopeoDigest(`${reg.host}/tls/hello:v1`)), ok.json!.manifestDigest);
  });

  test('NODE_EXTRA_CA_CERTS is trusted on top of the default store', async () => {
    const ok = await push(hello, `${reg.host}/tls/extra:v1`, [], { NODE_EXTRA_CA_CERTS: pki.ca });
    assert.equal(ok.exitCode, 0, ok.output);
    assert.equal(await skopeoDigest(`${reg.host}/tls/extra:v1`), ok.json!.manifestDigest);
    // An unreadable file: Node's warning naming it, then the default store, which lacks the suite CA.
    const missing = join(tmp(), 'missing-ca.pem');
    const bad = await push(hello, `${reg.host}/tls/extra:v2`, [], { NODE_EXTRA_CA_CERTS: missing });
    assert.notEqual(bad.exitCode, 0);
    assert.ok(bad.output.includes(`Ignoring extra certs from \`${missing}\``), bad.output);
    assert.match(bad.output, /TLS failed/);
  });
});
