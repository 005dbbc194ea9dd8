// Failures a user meets every day, against real services: a registry port with nothing listening,
// a host name that does not resolve, a proxy that cuts every attempt, a directory the user may not
// write. Each ends in a one-line error naming what was being done and where, for `copy`, `lock` and
// the blob fetch inside a Nix build alike, and never in a stack trace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { CLI, longshore, NIX_OPTS, nixBuild, ROOT, tmp } from '../helpers/nix.js';
import { freePort, push, startRegistry, type Registry } from '../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

let reg: Registry;
let proxy: FaultProxy;
let image: string;
/** A lock of an image in `reg` whose blobs no other test has fetched (their store paths are new). */
let lockFile: string;
let closed: number;

/** One line of error, an optional hint, and nothing a program would print when it crashed. */
function assertCleanFailure(r: { exitCode?: number; stderr: string }, message: RegExp): void {
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /internal error|^\s+at /m, r.stderr);
}

const freshHome = () => {
  const home = tmp('longshore-home-');
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_RUNTIME_DIR: join(home, 'run'), DOCKER_CONFIG: join(home, '.docker'), REGISTRY_AUTH_FILE: '' };
};

before(async () => {
  const nonce = randomBytes(6).toString('hex');
  [reg, image] = await Promise.all([
    startRegistry(),
    nixBuild(`let n = pkgs.runCommand "failure-nonce-${nonce}" {} "mkdir -p $out; echo ${nonce} > $out/nonce"; in longshore.buildImage { name = "failures"; copyToRoot = [ n ]; }`),
  ]);
  proxy = await startFaultProxy(reg.port);
  closed = await freePort();
  const p = await push(image, `${reg.host}/failures/base:v1`);
  assert.equal(p.exitCode, 0, p.output);
  lockFile = join(tmp('longshore-lock-'), 'base.lock.json');
  const l = await longshore(['lock', `docker://${reg.host}/failures/base:v1`, '-o', lockFile], freshHome());
  assert.equal(l.exitCode, 0, l.all);
});

after(async () => {
  await proxy?.stop();
  await reg?.stop();
});

describe('a registry port with nothing listening', () => {
  test('copy: connection refused, after three quick attempts, within a second of trying', async () => {
    const t0 = performance.now();
    const r = await longshore(['copy', image, `docker://127.0.0.1:${closed}/app:v1`], freshHome());
    const seconds = (performance.now() - t0) / 1000;
    assertCleanFailure(r, new RegExp(`^longshore: error: connecting to the registry at 127\\.0\\.0\\.1:${closed}: connection refused after 3 attempts$`, 'm'));
    assert.match(r.stderr, new RegExp(`^hint: is a registry listening at 127\\.0\\.0\\.1:${closed}\\?$`, 'm'));
    // The backoff meant for overloaded servers would take two seconds and more before giving up.
    assert.ok(seconds < 1.8, `gave up after ${seconds.toFixed(2)} s`);
  });

  test('lock: the same', async () => {
    const r = await longshore(['lock', `docker://127.0.0.1:${closed}/app:v1`], freshHome());
    assertCleanFailure(r, new RegExp(`^longshore: error: connecting to the registry at 127\\.0\\.0\\.1:${closed}: connection refused after 3 attempts$`, 'm'));
  });
});

describe('a host name that does not resolve', () => {
  test('copy: names the host, tries once', async () => {
    const r = await longshore(['copy', image, 'docker://registry.invalid/app:v1'], freshHome());
    assertCleanFailure(r, /^longshore: error: connecting to the registry at registry\.invalid: the host name (does not resolve|could not be resolved \(temporary DNS failure\)( after 3 attempts)?)$/m);
    assert.match(r.stderr, /^hint: check the registry name registry\.invalid/m);
  });

  test('lock: the same', async () => {
    const r = await longshore(['lock', 'docker://registry.invalid/app:v1'], freshHome());
    assertCleanFailure(r, /^longshore: error: connecting to the registry at registry\.invalid: the host name (does not resolve|could not be resolved)/m);
  });
});

describe('a proxy that cuts every attempt', () => {
  test('copy: the layer upload gives up after five attempts, naming the layer, the repository and the last cause', async () => {
    proxy.setRule((r) => ((r.method === 'PUT' || r.method === 'PATCH') && r.url.includes('/blobs/uploads/') ? { kind: 'reset', afterBytes: 64 } : undefined));
    try {
      const r = await longshore(['copy', image, `docker://${proxy.host}/failures/cut:v1`], freshHome());
      assertCleanFailure(
        r,
        new RegExp(`^longshore: error: uploading (layer|config) sha256:[0-9a-f]{64}( \\(gzip\\))? to ${proxy.host.replace(/\./g, '\\.')}/failures/cut: the connection was (reset|closed[a-z ]*) after 5 attempts$`, 'm'),
      );
    } finally {
      proxy.setRule(() => undefined);
    }
  });

  test('lock: fetching the manifest gives up after five attempts', async () => {
    proxy.setRule((r) => (r.method === 'GET' && r.url.includes('/manifests/') ? { kind: 'status', status: 503 } : undefined));
    try {
      const r = await longshore(['lock', `docker://${proxy.host}/failures/base:v1`], freshHome());
      assertCleanFailure(r, new RegExp(`^longshore: error: fetching manifest ${proxy.host.replace(/\./g, '\\.')}/failures/base:v1: registry answered 503 after 5 attempts$`, 'm'));
    } finally {
      proxy.setRule(() => undefined);
    }
  });
});

describe('the blob fetch inside a Nix build', () => {
  /** Builds pullImageFromManifest of the lock, fetching from `registry`; returns nix-build's output. */
  async function fetchFrom(registry: string): Promise<{ exitCode?: number; stderr: string }> {
    const dir = tmp('longshore-nix-');
    const file = join(dir, 'expr.nix');
    writeFileSync(
      file,
      `let l = import ${ROOT}/test/nix/lib.nix { node = "${process.execPath}"; dist = ${ROOT}/dist; };
       in l.longshore.pullImageFromManifest { imageManifest = ${lockFile}; registryUrl = "${registry}"; }\n`,
    );
    const r = await execa('nix-build', [file, '--no-out-link', ...NIX_OPTS], { reject: false, all: true });
    return { exitCode: r.exitCode, stderr: r.all ?? '' };
  }

  test('a closed port: connection refused, named, without a stack', async () => {
    const r = await fetchFrom(`127.0.0.1:${closed}`);
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, new RegExp(`longshore: error: connecting to the registry at 127\\.0\\.0\\.1:${closed}: connection refused after 3 attempts`));
    assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
  });

  test('a name that does not resolve', async () => {
    const r = await fetchFrom('registry.invalid');
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /longshore: error: connecting to the registry at registry\.invalid: the host name (does not resolve|could not be resolved)/);
    assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
  });

  test('a proxy that cuts every blob download', async () => {
    proxy.setRule((r) => (r.method === 'GET' && r.url.includes('/blobs/') ? { kind: 'status', status: 502 } : undefined));
    try {
      const r = await fetchFrom(proxy.host);
      assert.notEqual(r.exitCode, 0);
      assert.match(r.stderr, new RegExp(`longshore: error: fetching blob sha256:[0-9a-f]{64} from ${proxy.host.replace(/\./g, '\\.')}/failures/base: registry answered 502 after 5 attempts`));
      assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
    } finally {
      proxy.setRule(() => undefined);
    }
  });
});

describe('files', () => {
  test('an OCI layout in a directory the user may not write: permission denied, naming the directory', async () => {
    const parent = tmp();
    mkdirSync(join(parent, 'locked'), { mode: 0o755 });
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'copy', image, `oci:${join(parent, 'locked', 'layout')}:v1`], {
      reject: false,
      env: { ...process.env, HOME: '/tmp' },
    });
    assertCleanFailure(r, new RegExp(`^longshore: error: creating ${join(parent, 'locked', 'layout').replace(/\//g, '\\/')}: permission denied \\(EACCES\\)$`, 'm'));
  });
});
