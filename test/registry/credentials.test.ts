// Where registry credentials come from (docs/registry.md, "Authentication"): the lookup order, the
// key matching inside an auth file, and docker-credential-NAME helpers (fake ones, put on PATH in a
// temporary directory). Every lookup gets an explicit env, so the machine's HOME and variables
// play no part; only PATH is changed (for the helpers), and restored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { authFileCandidates, readCredsFile, resolveCredential, runCredentialHelper, type Credential } from '../../src/registry/credentials.js';
import { UserError } from '../../src/util/errors.js';

let root: string;
let savedPath: string | undefined;
/** A directory that exists but holds no auth file: where HOME points unless a test says otherwise. */
let emptyHome: string;

const b64 = (s: string) => Buffer.from(s).toString('base64');

function write(file: string, text: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function authFile(name: string, doc: unknown): string {
  return write(join(root, name), JSON.stringify(doc));
}

/** An env with nothing set but HOME (an empty directory) and what the test adds. */
const env = (extra: Record<string, string> = {}): Record<string, string | undefined> => ({ HOME: emptyHome, ...extra });

const basic = (c: Credential | undefined): [string, string, string] | undefined =>
  c?.kind === 'basic' ? [c.username, c.password, c.source] : c === undefined ? undefined : assert.fail(`expected a basic credential, got ${c.kind}`);

// Helper scripts log what they were asked (argv and stdin) to helper.log, one line per call.
const helperLog = () => join(root, 'helper.log');
function helper(name: string, body: string): void {
  const file = join(root, 'bin', `docker-credential-${name}`);
  write(file, `#!/bin/sh\nin=$(cat)\necho "${name} $1 $in" >> '${helperLog()}'\n${body}\n`);
  chmodSync(file, 0o755);
}
function helperCalls(): string[] {
  try {
    return readFileSync(helperLog(), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'longshore-creds-'));
  emptyHome = join(root, 'home');
  mkdirSync(emptyHome);
  savedPath = process.env.PATH;
  // Only the fake helpers and the system's tools: whatever else this machine's PATH holds (another
  // docker-credential-*, a directory this user cannot search) plays no part.
  process.env.PATH = `${join(root, 'bin')}:/usr/bin:/bin`;
  helper('good', `printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-Secret-1"}' "$in"`);
  helper('token', `printf '{"ServerURL":"%s","Username":"<token>","Secret":"identity-Secret-2"}' "$in"`);
  helper('notfound', `echo "credentials not found in native keychain"; exit 1`);
  // A failing helper that prints a secret on both streams: it must not reach the message.
  helper('broken', `echo "oops, leaked-Secret-3 for $in"; echo "stderr leaked-Secret-3" >&2; exit 3`);
  helper('garbage', `echo "leaked-Secret-4 is not JSON"`);
  helper('empty', `echo '{"ServerURL":"x","Username":"u","Secret":""}'`);
});

after(() => {
  if (savedPath === undefined) delete process.env.PATH;
  else process.env.PATH = savedPath;
  rmSync(root, { recursive: true, force: true });
});

describe('auth file candidates', () => {
  test('REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, XDG_CONFIG_HOME, DOCKER_CONFIG, in that order', () => {
    assert.deepEqual(
      authFileCandidates({}, { HOME: '/h', REGISTRY_AUTH_FILE: '/r/auth.json', XDG_RUNTIME_DIR: '/run/user/7', XDG_CONFIG_HOME: '/cfg', DOCKER_CONFIG: '/dk' }),
      ['/r/auth.json', '/run/user/7/containers/auth.json', '/cfg/containers/auth.json', '/dk/config.json'],
    );
  });

  test('without the variables: ~/.config/containers/auth.json then ~/.docker/config.json', () => {
    assert.deepEqual(authFileCandidates({}, { HOME: '/h' }), ['/h/.config/containers/auth.json', '/h/.docker/config.json']);
  });

  test('--authfile replaces the whole list', () => {
    assert.deepEqual(authFileCandidates({ authfile: '/only.json' }, { HOME: '/h', REGISTRY_AUTH_FILE: '/r.json', DOCKER_CONFIG: '/dk' }), ['/only.json']);
  });
});

describe('lookup order across sources', () => {
  // Every source has a (different) credential for the same registry; removing the winner each time
  // must reveal the next one.
  let all: { flags: Record<string, string>; env: Record<string, string> };
  /** The four auth-file variables of `all`, without the LONGSHORE_REGISTRY_* ones. */
  const files = () => {
    const { LONGSHORE_REGISTRY_TOKEN: _t, LONGSHORE_REGISTRY_USERNAME: _u, LONGSHORE_REGISTRY_PASSWORD: _p, ...rest } = all.env;
    return rest;
  };
  before(() => {
    const entry = (user: string) => ({ auths: { 'reg.example': { auth: b64(`${user}:pw-${user}`) } } });
    const credsFile = write(join(root, 'order', 'creds'), 'USERNAME=credsfile\nPASSWORD=pw-credsfile\n');
    all = {
      flags: { registryToken: 'flag-token', creds: 'flaguser:pw-flag', credsFile },
      env: {
        LONGSHORE_REGISTRY_TOKEN: 'env-token',
        LONGSHORE_REGISTRY_USERNAME: 'envuser',
        LONGSHORE_REGISTRY_PASSWORD: 'pw-env',
        REGISTRY_AUTH_FILE: authFile('order/registry-auth-file.json', entry('regauthfile')),
        XDG_RUNTIME_DIR: dirname(dirname(authFile('order/run/containers/auth.json', entry('xdgruntime')))),
        XDG_CONFIG_HOME: dirname(dirname(authFile('order/config/containers/auth.json', entry('xdgconfig')))),
        DOCKER_CONFIG: dirname(authFile('order/docker/config.json', entry('dockerconfig'))),
      },
    };
  });

  test('flags > LONGSHORE_REGISTRY_* > REGISTRY_AUTH_FILE > XDG_RUNTIME_DIR > XDG_CONFIG_HOME > DOCKER_CONFIG > anonymous', async () => {
    const flags: Record<string, string> = { ...all.flags };
    const e = env(all.env);
    const next = async () => resolveCredential('reg.example', 'app', flags, e);

    assert.deepEqual(await next(), { kind: 'bearer', token: 'flag-token', source: '--registry-token' });
    delete flags.registryToken;
    assert.deepEqual(basic(await next()), ['flaguser', 'pw-flag', '--creds']);
    delete flags.creds;
    assert.deepEqual(basic(await next()), ['credsfile', 'pw-credsfile', `--creds-file ${all.flags.credsFile}`]);
    delete flags.credsFile;
    assert.deepEqual(await next(), { kind: 'bearer', token: 'env-token', source: 'LONGSHORE_REGISTRY_TOKEN' });
    delete e.LONGSHORE_REGISTRY_TOKEN;
    assert.deepEqual(basic(await next()), ['envuser', 'pw-env', 'LONGSHORE_REGISTRY_USERNAME/PASSWORD']);
    delete e.LONGSHORE_REGISTRY_USERNAME;
    assert.equal(basic(await next())?.[0], 'regauthfile');
    delete e.REGISTRY_AUTH_FILE;
    assert.equal(basic(await next())?.[0], 'xdgruntime');
    delete e.XDG_RUNTIME_DIR;
    assert.equal(basic(await next())?.[0], 'xdgconfig');
    delete e.XDG_CONFIG_HOME;
    assert.equal(basic(await next())?.[0], 'dockerconfig');
    delete e.DOCKER_CONFIG;
    assert.equal(await next(), undefined);
  });

  test('a file without an entry for the registry passes to the next file', async () => {
    const e = env({ ...files(), REGISTRY_AUTH_FILE: authFile('order/other.json', { auths: { 'other.example': { auth: b64('x:y') } } }) });
    assert.equal(basic(await resolveCredential('reg.example', 'app', {}, e))?.[0], 'xdgruntime');
  });

  test('HOME supplies the default locations', async () => {
    const home = join(root, 'home2');
    write(join(home, '.docker/config.json'), JSON.stringify({ auths: { 'reg.example': { auth: b64('homedocker:pw') } } }));
    assert.equal(basic(await resolveCredential('reg.example', 'app', {}, { HOME: home }))?.[0], 'homedocker');
    write(join(home, '.config/containers/auth.json'), JSON.stringify({ auths: { 'reg.example': { auth: b64('homecontainers:pw') } } }));
    assert.equal(basic(await resolveCredential('reg.example', 'app', {}, { HOME: home }))?.[0], 'homecontainers');
  });

  test('--authfile is the only file read, and a missing one is an error (a missing default file is not)', async () => {
    const e = env(files());
    const only = authFile('order/only.json', { auths: {} });
    assert.equal(await resolveCredential('reg.example', 'app', { authfile: only }, e), undefined);
    await assert.rejects(resolveCredential('reg.example', 'app', { authfile: join(root, 'nope.json') }, e), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /auth file .*nope\.json: ENOENT/);
      return true;
    });
    assert.equal(await resolveCredential('reg.example', 'app', {}, env({ REGISTRY_AUTH_FILE: join(root, 'nope.json') })), undefined);
  });

  test('an auth file that is not JSON is an error naming the file', async () => {
    const bad = write(join(root, 'order/bad.json'), '{ not json');
    await assert.rejects(resolveCredential('reg.example', 'app', {}, env({ REGISTRY_AUTH_FILE: bad })), /auth file .*bad\.json: not valid JSON/);
  });
});

describe('inside one auth file', () => {
  const lookup = (doc: unknown, registry = 'reg.example', repository = 'team/app') =>
    resolveCredential(registry, repository, {}, env({ REGISTRY_AUTH_FILE: authFile(`inside-${Math.random().toString(36).slice(2)}.json`, doc) }));

  test('the longest matching key wins: host/namespace/… over host', async () => {
    const doc = {
      auths: {
        'reg.example': { auth: b64('host:pw') },
        'reg.example/team': { auth: b64('team:pw') },
        'reg.example/team/app': { auth: b64('exact:pw') },
        'reg.example/tea': { auth: b64('not-a-component:pw') },
        'reg.example/other': { auth: b64('other:pw') },
      },
    };
    assert.equal(basic(await lookup(doc, 'reg.example', 'team/app'))?.[0], 'exact');
    assert.equal(basic(await lookup(doc, 'reg.example', 'team/app2'))?.[0], 'team');
    assert.equal(basic(await lookup(doc, 'reg.example', 'team/app/sub'))?.[0], 'exact');
    assert.equal(basic(await lookup(doc, 'reg.example', 'teams/app'))?.[0], 'host');
    // Key order in the file does not matter.
    const reversed = { auths: Object.fromEntries(Object.entries(doc.auths).reverse()) };
    assert.equal(basic(await lookup(reversed, 'reg.example', 'team/app2'))?.[0], 'team');
  });

  test('a key for another host (or another port) does not match', async () => {
    assert.equal(await lookup({ auths: { 'reg.example:5000': { auth: b64('a:b') }, 'reg.example.org': { auth: b64('c:d') } } }), undefined);
  });

  test('keys written as URLs match: scheme, trailing slash and /v1/ or /v2/ are ignored', async () => {
    assert.equal(basic(await lookup({ auths: { 'https://reg.example/v2/': { auth: b64('url:pw') } } }))?.[0], 'url');
    assert.equal(basic(await lookup({ auths: { 'http://reg.example:5000/': { auth: b64('port:pw') } } }, 'reg.example:5000'))?.[0], 'port');
  });

  test('Docker Hub: "https://index.docker.io/v1/" is the key for docker.io', async () => {
    const c = await lookup({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hub-pw') } } }, 'docker.io', 'library/alpine');
    assert.deepEqual(basic(c)?.slice(0, 2), ['hubuser', 'hub-pw']);
    assert.equal(basic(await lookup({ auths: { 'registry-1.docker.io': { auth: b64('r1:pw') } } }, 'docker.io', 'library/alpine'))?.[0], 'r1');
    assert.equal(await lookup({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hub-pw') } } }, 'quay.io', 'x/y'), undefined);
  });

  test('entry forms: base64 auth (password may hold ":"), username/password, identitytoken, registrytoken', async () => {
    assert.deepEqual(basic(await lookup({ auths: { 'reg.example': { auth: b64('u:p:with:colons') } } }))?.slice(0, 2), ['u', 'p:with:colons']);
    assert.deepEqual(basic(await lookup({ auths: { 'reg.example': { username: 'u2', password: 'p2' } } }))?.slice(0, 2), ['u2', 'p2']);
    const id = await lookup({ auths: { 'reg.example': { auth: b64('ignored:x'), identitytoken: 'refresh-1' } } });
    assert.equal(id?.kind, 'identity');
    assert.equal(id?.kind === 'identity' && id.token, 'refresh-1');
    const rt = await lookup({ auths: { 'reg.example': { registrytoken: 'reg-token-1' } } });
    assert.equal(rt?.kind === 'bearer' && rt.token, 'reg-token-1');
  });

  test('the source names the file and the key', async () => {
    const file = authFile('source.json', { auths: { 'reg.example/team': { auth: b64('u:p') } } });
    const c = await resolveCredential('reg.example', 'team/app', {}, env({ REGISTRY_AUTH_FILE: file }));
    assert.equal(c?.source, `${file} (reg.example/team)`);
  });

  test('an auth entry that does not decode to USER:PASSWORD fails without showing it', async () => {
    await assert.rejects(lookup({ auths: { 'reg.example': { auth: b64('no-colon-Secret-5') } } }), (err: Error) => {
      assert.match(err.message, /expected USER:PASSWORD/);
      assert.doesNotMatch(err.message, /Secret-5/);
      assert.doesNotMatch(err.message, new RegExp(b64('no-colon-Secret-5')));
      return true;
    });
  });

  test('credHelpers[host] > auths > credsStore', async () => {
    const all = { credHelpers: { 'reg.example': 'good' }, auths: { 'reg.example': { auth: b64('fromauths:pw') } }, credsStore: 'token' };
    assert.deepEqual(basic(await lookup(all)), ['helper-user', 'helper-Secret-1', 'credential helper docker-credential-good']);
    const { credHelpers: _h, ...noHelpers } = all;
    assert.equal(basic(await lookup(noHelpers))?.[0], 'fromauths');
    const onlyStore = { credsStore: 'token', auths: { 'other.example': { auth: b64('x:y') } } };
    const c = await lookup(onlyStore);
    assert.deepEqual(c, { kind: 'identity', token: 'identity-Secret-2', source: 'credential helper docker-credential-token' });
    // An auths entry without a usable credential falls through to credsStore.
    assert.equal((await lookup({ auths: { 'reg.example': {} }, credsStore: 'token' }))?.kind, 'identity');
  });

  test('a credHelpers entry for another host is not used', async () => {
    const c = await lookup({ credHelpers: { 'other.example': 'broken' }, auths: { 'reg.example': { auth: b64('fromauths:pw') } } });
    assert.equal(basic(c)?.[0], 'fromauths');
  });
});

describe('credential helpers', () => {
  test('run as "docker-credential-NAME get" with the server URL on stdin (Docker Hub: https://index.docker.io/v1/)', async () => {
    rmSync(helperLog(), { force: true });
    const hub = await resolveCredential('docker.io', 'library/alpine', {}, env({ REGISTRY_AUTH_FILE: authFile('hub-helper.json', { credsStore: 'good' }) }));
    assert.equal(basic(hub)?.[0], 'helper-user');
    await runCredentialHelper('good', 'reg.example:5000');
    assert.deepEqual(helperCalls(), ['good get https://index.docker.io/v1/', 'good get reg.example:5000']);
  });

  test('"<token>" as the username means an identity token', async () => {
    assert.deepEqual(await runCredentialHelper('token', 'reg.example'), { kind: 'identity', token: 'identity-Secret-2', source: 'credential helper docker-credential-token' });
  });

  test('"credentials not found" means no credential, and the lookup goes on to the next file', async () => {
    assert.equal(await runCredentialHelper('notfound', 'reg.example'), undefined);
    const e = env({
      REGISTRY_AUTH_FILE: authFile('nf1.json', { credHelpers: { 'reg.example': 'notfound' }, auths: { 'reg.example': { auth: b64('same-file:pw') } } }),
      DOCKER_CONFIG: dirname(authFile('nf-docker/config.json', { auths: { 'reg.example': { auth: b64('next-file:pw') } } })),
    });
    // credHelpers decides for its host within its file; the next file still gets its turn.
    assert.equal(basic(await resolveCredential('reg.example', 'app', {}, e))?.[0], 'next-file');
  });

  test('an empty Secret means no credential', async () => {
    assert.equal(await runCredentialHelper('empty', 'reg.example'), undefined);
  });

  test('a failing helper: the message names the helper, the server and the exit status, never its output', async () => {
    await assert.rejects(runCredentialHelper('broken', 'reg.example'), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.message, 'credential helper docker-credential-broken failed for reg.example (exit 3)');
      assert.doesNotMatch(err.message + (err.hint ?? ''), /leaked|Secret/);
      return true;
    });
    // Through resolveCredential too: the failure is not swallowed into "anonymous".
    await assert.rejects(
      resolveCredential('reg.example', 'app', {}, env({ REGISTRY_AUTH_FILE: authFile('broken.json', { credsStore: 'broken' }) })),
      (err: Error) => /docker-credential-broken failed/.test(err.message) && !/leaked/.test(err.message),
    );
  });

  test('a helper printing something that is not JSON: an error that does not repeat it', async () => {
    await assert.rejects(runCredentialHelper('garbage', 'reg.example'), (err: Error) => {
      assert.match(err.message, /docker-credential-garbage printed something that is not JSON/);
      assert.doesNotMatch(err.message, /Secret-4/);
      return true;
    });
  });

  test('a helper that is not on PATH', async () => {
    await assert.rejects(runCredentialHelper('absent-xyz', 'reg.example'), /credential helper docker-credential-absent-xyz is configured but not on PATH/);
  });
});

describe('--creds and --creds-file', () => {
  test('--creds USER:PASSWORD splits at the first colon; without one it is an error that does not echo it', async () => {
    assert.deepEqual(basic(await resolveCredential('r', 'a', { creds: 'u:p:q' }, env())), ['u', 'p:q', '--creds']);
    await assert.rejects(resolveCredential('r', 'a', { creds: 'Secret-6' }, env()), (err: Error) => {
      assert.equal(err.message, '--creds: expected USER:PASSWORD');
      return true;
    });
    await assert.rejects(resolveCredential('r', 'a', { creds: ':only-password' }, env()), /expected USER:PASSWORD/);
  });

  test('creds file: USERNAME=/PASSWORD= (quotes, export, comments), or BEARER_TOKEN= which wins', () => {
    const f = write(join(root, 'cf/1'), '# a comment\nexport USERNAME="bob"\r\nPASSWORD = \'pa ss\'\n#PASSWORD=commented\n');
    assert.deepEqual(readCredsFile(f), { kind: 'basic', username: 'bob', password: 'pa ss', source: `--creds-file ${f}` });
    const t = write(join(root, 'cf/2'), 'USERNAME=bob\nPASSWORD=x\nBEARER_TOKEN=tok-1\n');
    assert.deepEqual(readCredsFile(t), { kind: 'bearer', token: 'tok-1', source: `--creds-file ${t}` });
  });

  test('creds file errors: unreadable, or neither form present (the content is not shown)', () => {
    assert.throws(() => readCredsFile(join(root, 'cf/none')), /--creds-file .*cf\/none: cannot read \(ENOENT\)/);
    const f = write(join(root, 'cf/3'), 'PASSWORD=Secret-7\n');
    assert.throws(() => readCredsFile(f), (err: Error) => /needs USERNAME= and PASSWORD= lines/.test(err.message) && !/Secret-7/.test(err.message));
  });

  test('LONGSHORE_REGISTRY_USERNAME needs LONGSHORE_REGISTRY_PASSWORD (an empty password is allowed)', async () => {
    assert.equal(await resolveCredential('r', 'a', {}, env({ LONGSHORE_REGISTRY_USERNAME: 'u' })), undefined);
    assert.deepEqual(basic(await resolveCredential('r', 'a', {}, env({ LONGSHORE_REGISTRY_USERNAME: 'u', LONGSHORE_REGISTRY_PASSWORD: '' })))?.slice(0, 2), ['u', '']);
  });
});
