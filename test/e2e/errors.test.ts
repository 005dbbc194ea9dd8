// Bad input gets an error that names what is wrong, and nothing half-written at the destination.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import fg from 'fast-glob';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExample, longshore, nixBuild, NIX_OPTS, tmp } from '../helpers/nix.js';
import { loadImageFile } from '../../src/image/schema.js';

const hello = (config: string, extra = '') =>
  nixBuild(`longshore.buildImage { name = "bad"; config = { entrypoint = [ "\${pkgs.hello}/bin/hello" ]; ${config} }; ${extra} }`);

describe('config validation at build time', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown key names the closest valid one', 'Environment = [ "A=b" ];', /config: unknown key "Environment"; did you mean "Env"\?/],
    ['a typo of a key', 'Entrypiont = [ "x" ];', /unknown key "Entrypiont"; did you mean "Entrypoint"\?/],
    ['Env entries must be NAME=value', 'Env = [ "NOEQUALS" ];', /config\.Env\[0\]: expected "NAME=value", got "NOEQUALS"/],
    ['Env must be a list', 'Env = "A=b";', /config\.Env: expected a list of "NAME=value" strings/],
    ['Cmd must be a list', 'Cmd = "serve";', /config\.Cmd: expected a list of strings, got the string "serve"/],
    ['malformed ExposedPorts', 'ExposedPorts = { "http" = { }; };', /config\.ExposedPorts: "http" is not a port/],
    ['ExposedPorts values must be empty objects', 'ExposedPorts = { "80/tcp" = "yes"; };', /values must be empty objects/],
    ['malformed Volumes', 'Volumes = { "data" = { }; };', /config\.Volumes: "data" must be an absolute path/],
    ['Labels must be strings', 'Labels = { version = 2; };', /config\.Labels\.version: expected a string/],
    ['the same key twice in two spellings', 'cmd = [ "a" ]; Cmd = [ "b" ];', /"Cmd" and "cmd" are the same key|"cmd" and "Cmd" are the same key/],
  ];
  for (const [name, config, re] of cases) {
    test(name, async () => {
      await assert.rejects(hello(config), re);
    });
  }

  test('lowercase nix2container spellings are accepted and normalised', async () => {
    const img = loadImageFile(await hello('env = [ "A=1" ]; workingdir = "/"; exposedports = [ "8080/tcp" ];'));
    assert.deepEqual(img.config.Env, ['A=1']);
    assert.equal(img.config.WorkingDir, '/');
    assert.deepEqual(img.config.ExposedPorts, { '8080/tcp': {} });
  });
});

describe('other build-time errors', () => {
  test('invalid image name', async () => {
    await assert.rejects(nixBuild('longshore.buildImage { name = "Hello World"; }'), /buildImage: name "Hello World": repository component "Hello World" is not valid/);
  });
  test('perms mode that is not octal', async () => {
    await assert.rejects(hello('', 'perms = [ { path = pkgs.hello; regex = ".*"; mode = "0999"; } ];'), /perms\[0\]: mode "0999" is not an octal string/);
  });
  test('perms regex that does not compile', async () => {
    await assert.rejects(hello('', 'perms = [ { path = pkgs.hello; regex = "(("; } ];'), /perms\[0\]: invalid regex "\(\("/);
  });
  test('two copyToRoot paths providing the same file differently', async () => {
    const expr = `let
      r1 = pkgs.runCommand "r1" { } "mkdir -p $out/etc; echo one > $out/etc/motd";
      r2 = pkgs.runCommand "r2" { } "mkdir -p $out/etc; echo two! > $out/etc/motd";
    in longshore.buildImage { name = "clash"; copyToRoot = [ r1 r2 ]; }`;
    // The two sides come in store path order.
    await assert.rejects(
      nixBuild(expr),
      /\/etc\/motd is provided twice, with a different content \((4 vs 5|5 vs 4) bytes\): by copyToRoot \/nix\/store\/\S+-r[12], as in the store; and by copyToRoot \/nix\/store\/\S+-r[12], as in the store\nhint: keep only one of the two in copyToRoot/,
    );
  });
});

/** An image over a store path of its own, so the test may damage it. */
async function disposableImage(): Promise<{ image: string; victim: string }> {
  const nonce = `${Date.now()}-${Math.random()}`;
  const image = await nixBuild(`let v = pkgs.runCommand "victim" { n = "${nonce}"; } "mkdir -p $out; echo original > $out/data; echo keep > $out/other";
    in longshore.buildImage { name = "victim"; config.Cmd = [ "\${v}/data" ]; }`);
  const victim = loadImageFile(image).layers[0].paths.find((p) => p.endsWith('-victim'))!;
  return { image, victim };
}

function assertNothingWritten(dir: string): void {
  assert.deepEqual(fg.sync('**/*.tmp-*', { cwd: dir, dot: true }), [], 'no temporary files left');
  assert.deepEqual(fg.sync('blobs/sha256/*', { cwd: dir }).length, 0, 'no blob written');
  assert.ok(!existsSync(join(dir, 'index.json')), 'no index written');
}

describe('store paths that changed or vanished', () => {
  test('content changed in place (same size): the error names the store path; nothing is left behind', async () => {
    const { image, victim } = await disposableImage();
    const img = loadImageFile(image);
    chmodSync(join(victim, 'data'), 0o644);
    writeFileSync(join(victim, 'data'), 'tampered');
    const dir = join(tmp(), 'oci');
    const r = await longshore(['copy', image, `oci:${dir}:t`]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`store path ${victim}`));
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.ok(!existsSync(join(dir, 'blobs/sha256', img.layers[0].digest.slice(7))));
    assertNothingWritten(dir);
  });

  test('a file added to a store path: the error names the store path', async () => {
    const { image, victim } = await disposableImage();
    chmodSync(victim, 0o755);
    writeFileSync(join(victim, 'intruder'), 'x');
    const dir = join(tmp(), 'oci');
    const r = await longshore(['copy', image, `oci:${dir}:t`]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`store path ${victim} changed since the image was built`));
    assertNothingWritten(dir);
  });

  test('a garbage-collected store path: a clear error before anything is written', async () => {
    const { image, victim } = await disposableImage();
    const saved = join(tmp(), 'image.json');
    copyFileSync(image, saved);
    // Delete the victim and everything referring to it (the image JSON, the config file), as a GC would.
    const referrers = (await execa('nix-store', ['--query', '--referrers-closure', victim])).stdout.split('\n').filter(Boolean);
    assert.ok(referrers.includes(image));
    const del = await execa('nix-store', ['--delete', ...referrers, ...NIX_OPTS], { reject: false, all: true });
    assert.equal(del.exitCode, 0, del.all);
    const dir = join(tmp(), 'oci');
    const r = await longshore(['copy', saved, `oci:${dir}:t`]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`${victim}, which is missing \\(garbage-collected\\?\\); rebuild the image with nix-build`));
    assertNothingWritten(dir);
  });

  test('a failed copy leaves an existing layout and its tags untouched', async () => {
    const good = await buildExample('hello');
    const dir = join(tmp(), 'oci');
    assert.equal((await longshore(['copy', '-q', good, `oci:${dir}:old`])).exitCode, 0);
    const before = readFileSync(join(dir, 'index.json'));
    const { image, victim } = await disposableImage();
    chmodSync(join(victim, 'other'), 0o644);
    writeFileSync(join(victim, 'other'), 'swap');
    const r = await longshore(['copy', image, `oci:${dir}:old`]);
    assert.equal(r.exitCode, 1);
    assert.ok(readFileSync(join(dir, 'index.json')).equals(before), 'index.json unchanged');
    assert.deepEqual(fg.sync('**/*.tmp-*', { cwd: dir, dot: true }), []);
  });
});

describe('a full disk', () => {
  // A 1 MiB tmpfs: the hello image (2 MiB) cannot fit.
  async function smallDisk(): Promise<{ dir: string; unmount: () => Promise<unknown> }> {
    const dir = tmp();
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    return { dir, unmount: () => execa('umount', [dir]) };
  }

  test('docker-archive: the error names the file; the old archive stays, no temp file', async () => {
    const good = await buildExample('hello');
    const { dir, unmount } = await smallDisk();
    try {
      writeFileSync(join(dir, 'a.tar'), 'old archive');
      const r = await longshore(['copy', '-q', good, `docker-archive:${join(dir, 'a.tar')}:hello:v1`]);
      assert.equal(r.exitCode, 1, r.all);
      assert.ok(r.stderr.split('\n').includes(`longshore: error: writing ${join(dir, 'a.tar')}: no space left on the device (ENOSPC)`), r.stderr);
      assert.equal(readFileSync(join(dir, 'a.tar'), 'utf8'), 'old archive');
      assert.deepEqual(readdirSync(dir), ['a.tar']);
    } finally {
      await unmount();
    }
  });

  test('oci: the error names the blob; index.json is never written', async () => {
    const good = await buildExample('hello');
    const { dir, unmount } = await smallDisk();
    try {
      const r = await longshore(['copy', '-q', good, `oci:${join(dir, 'oci')}:v1`]);
      assert.equal(r.exitCode, 1, r.all);
      assert.match(r.stderr, /^longshore: error: writing \S+\/blobs\/sha256\/[0-9a-f]{64}: no space left on the device \(ENOSPC\)$/m);
      assert.equal(existsSync(join(dir, 'oci', 'index.json')), false);
      assert.deepEqual(fg.sync('**/*', { cwd: dir, dot: true }), []);
    } finally {
      await unmount();
    }
  });
});

describe('command-line errors', () => {
  test('a missing image JSON', async () => {
    const r = await longshore(['copy', '/nonexistent/image.json', 'oci:/tmp/x']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /image JSON \/nonexistent\/image.json does not exist/);
  });
  test('an unknown transport lists the known ones', async () => {
    const img = await buildExample('hello');
    const r = await longshore(['copy', img, 'ftp://somewhere']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /unknown destination "ftp:\/\/somewhere": expected one of .*docker:\/\/.*oci:/);
  });
  test('a file that is not an image JSON', async () => {
    const f = join(tmp(), 'x.json');
    writeFileSync(f, '{"hello": 1}');
    const r = await longshore(['inspect', f]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`${f}: top level: expected an image JSON`));
    const dir = await longshore(['copy', tmp(), 'oci:/tmp/x']);
    assert.equal(dir.exitCode, 1);
    assert.match(dir.stderr, /^longshore: error: \/.* is a directory, not an image JSON/m);
  });
  test('--json: a failure is one JSON line on stdout with its code', async () => {
    const r = await longshore(['copy', '/nonexistent/image.json', 'oci:/tmp/x', '--json']);
    assert.equal(r.exitCode, 1);
    assert.deepEqual(JSON.parse(r.stdout), { error: { code: 'IMAGE_NOT_FOUND', message: 'image JSON /nonexistent/image.json does not exist; build it with nix-build first' } });
  });
  test('a destination that cannot be written fails before a layer is read, naming it, and leaves nothing', async () => {
    const img = await buildExample('hello');
    const dir = tmp();
    const cases: [string, RegExp][] = [
      [`docker-archive:${dir}/missing/a.tar`, new RegExp(`^longshore: error: docker-archive:${dir}/missing/a\\.tar: the directory ${dir}/missing does not exist$`, 'm')],
      [`oci-archive:${dir}`, new RegExp(`^longshore: error: oci-archive:${dir}: ${dir} is a directory$`, 'm')],
      // Node's recursive mkdir spins forever here (a parent that exists and cannot hold the child).
      ['oci:/proc/longshore-nope/layout', /^longshore: error: creating \/proc\/longshore-nope: its parent exists but cannot hold it \(ENOENT\)$/m],
      ['dir:/proc/longshore-nope', /^longshore: error: creating \/proc\/longshore-nope: its parent exists but cannot hold it \(ENOENT\)$/m],
    ];
    for (const [dest, re] of cases) {
      const r = await longshore(['copy', img, dest], {}, { timeout: 60_000 });
      assert.equal(r.exitCode, 1, `${dest}: ${r.all}`);
      assert.match(r.stderr, re, dest);
      assert.doesNotMatch(r.stderr, /internal error|written|uploading/, dest);
    }
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('inspect', () => {
  test('a table of layers with sizes and store paths, and --json', async () => {
    const img = await buildExample('layered');
    const t = await longshore(['inspect', img]);
    assert.equal(t.exitCode, 0, t.all);
    assert.match(t.stdout, /^layered:[0-9a-z]{32}\s+linux\/amd64\s+2 layers/);
    assert.match(t.stdout, /1\s+[0-9a-f]{12}\s+2\.0 MiB\s+\/nix\/store\/[0-9a-z]{32}-busybox/);
    const j = JSON.parse((await longshore(['inspect', '--json', img])).stdout);
    assert.equal(j.layers.length, 2);
    assert.match(j.layers[1].paths[0], /-greet$/);
    assert.equal(j.totalSize, j.layers[0].size + j.layers[1].size);
    assert.match(j.manifestDigest, /^sha256:[0-9a-f]{64}$/);
  });
});
