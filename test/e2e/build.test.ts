// The examples, built with the real nix-build, copied to OCI layouts and checked by skopeo, umoci
// and podman; rebuilt to prove the bytes do not change.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildExample, longshore, nixBuild, ROOT, tmp } from '../helpers/nix.js';
import { sha256File, skopeoConfig, skopeoInspect, treeBytes, umociUnpack } from '../helpers/oci.js';
import { parseLoaded, tracingNode } from '../helpers/modules.js';
import { loadImageFile } from '../../src/image/schema.js';

const EXAMPLES = ['hello', 'layered', 'non-root', 'copy-to-root'];
const work = tmp();
const images = new Map<string, string>();

before(async () => {
  for (const e of EXAMPLES) images.set(e, await buildExample(e));
});
after(() => rmSync(work, { recursive: true, force: true }));

async function copyToOci(image: string, dir: string, tag = 'test') {
  const r = await longshore(['copy', '--json', image, `oci:${dir}:${tag}`]);
  assert.equal(r.exitCode, 0, r.all);
  return JSON.parse(r.stdout);
}

describe('examples', () => {
  for (const e of EXAMPLES) {
    test(`${e}: layers regenerated at copy time match the build-time digests; skopeo agrees`, async () => {
      const img = loadImageFile(images.get(e)!);
      const dir = join(work, `oci-${e}`);
      const res = await copyToOci(images.get(e)!, dir);
      assert.equal(res.layers.length, img.layers.length);
      for (const l of img.layers) {
        const blob = join(dir, 'blobs/sha256', l.digest.slice(7));
        assert.equal(sha256File(blob), l.digest, `blob of ${l.paths.join(' ')}`);
        assert.equal(lstatSync(blob).size, l.size);
      }
      const info = await skopeoInspect(`oci:${dir}:test`);
      assert.deepEqual(info.Layers, img.layers.map((l) => l.digest));
      assert.equal(info.Architecture, 'amd64');
      assert.equal(info.Os, 'linux');
      const cfg = await skopeoConfig(`oci:${dir}:test`);
      assert.deepEqual(cfg.rootfs.diff_ids, img.layers.map((l) => l.diffID));
    });
  }

  test('hello: nix2container-style lowercase config keys are normalised', async () => {
    const cfg = await skopeoConfig(`oci:${join(work, 'oci-hello')}:test`);
    const ep = cfg.config.Entrypoint as string[];
    assert.match(ep[0], /^\/nix\/store\/[0-9a-z]{32}-hello\/bin\/hello$/);
  });

  test('layered: the dependency layer holds busybox only, the application sits alone on top', () => {
    const img = loadImageFile(images.get('layered')!);
    assert.equal(img.layers.length, 2);
    assert.deepEqual(img.layers[0].paths.map((p) => p.replace(/^.*?-/, '')), ['busybox']);
    assert.deepEqual(img.layers[1].paths.map((p) => p.replace(/^.*?-/, '')), ['greet']);
  });

  test('non-root: umoci unpacks users, /tmp 1777, owned directories and perms', async () => {
    const rootfs = await umociUnpack(`${join(work, 'oci-non-root')}:test`, join(work, 'bundle-non-root'));
    const st = (p: string) => lstatSync(join(rootfs, p));
    assert.equal(st('tmp').mode & 0o7777, 0o1777);
    assert.ok(st('tmp').isDirectory());
    assert.equal(st('data').mode & 0o7777, 0o750);
    assert.equal(st('data').uid, 1000);
    assert.equal(st('data').gid, 1000);
    assert.equal(st('home/app').uid, 1000);
    assert.equal(st('nix').mode & 0o7777, 0o755);
    assert.equal(st('nix/store').mode & 0o7777, 0o755);
    const passwd = readFileSync(join(rootfs, 'etc/passwd'), 'utf8');
    assert.match(passwd, /^root:x:0:0:/m);
    assert.match(passwd, /^app:x:1000:1000:app:\/home\/app:\/nix\/store\/[0-9a-z]{32}-busybox\/bin\/sh$/m);
    assert.match(readFileSync(join(rootfs, 'etc/group'), 'utf8'), /^app:x:1000:$/m);
    const img = loadImageFile(images.get('non-root')!);
    const app = img.layers[0].paths.find((p) => p.endsWith('-whoami-app'))!;
    const bin = st(`${app.slice(1)}/bin/whoami-app`);
    assert.equal(bin.mode & 0o7777, 0o750);
    assert.equal(bin.uid, 1000);
    // perms touch only what the regex matches
    assert.equal(st(`${app.slice(1)}/bin`).mode & 0o7777, 0o555);
    assert.equal(st(`${app.slice(1)}/bin`).uid, 0);
  });

  test('copy-to-root: files at / and the store paths intact (self-references work)', async () => {
    const rootfs = await umociUnpack(`${join(work, 'oci-copy-to-root')}:test`, join(work, 'bundle-ctr'));
    const sh = readlinkSync(join(rootfs, 'bin/sh'));
    assert.match(sh, /^\/nix\/store\/[0-9a-z]{32}-busybox\/bin\/sh$/);
    assert.ok(existsSync(join(rootfs, sh.slice(1))), 'the symlink target is in the image');
    const selfRef = readFileSync(join(rootfs, 'bin/self-ref'), 'utf8');
    const storePath = /(\/nix\/store\/[0-9a-z]{32}-self-ref)/.exec(selfRef)![1];
    assert.equal(readFileSync(join(rootfs, storePath.slice(1), 'share/message'), 'utf8'), 'self-reference intact\n');
  });

  test('podman runs the images straight from the OCI layouts', async () => {
    const run = async (e: string) => {
      const r = await execa('podman', ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', 'run', '--rm', '--network=none', `oci:${join(work, `oci-${e}`)}:test`], { reject: false, all: true });
      assert.equal(r.exitCode, 0, r.all);
      return r.stdout;
    };
    assert.equal(await run('hello'), 'Hello, world!');
    assert.equal(await run('layered'), 'Hello from a layered image');
    assert.equal(await run('non-root'), 'uid=1000 gid=1000 user=app\ntmp writable\ndata writable');
    assert.match(await run('copy-to-root'), /^self-reference intact\n\/bin\/sh$/);
  });
});

describe('determinism', () => {
  test('nix-build --check rebuilds every example to identical image JSON', async () => {
    for (const e of EXAMPLES) {
      // Rebuild through the same expression the tests used; --check fails if the output differs.
      await nixBuild(`example "${e}"`, { extraArgs: ['--check'] });
    }
  });

  test('two copies of the same image are byte-identical layouts', async () => {
    for (const e of EXAMPLES) {
      const a = join(work, `twice-a-${e}`);
      const b = join(work, `twice-b-${e}`);
      await copyToOci(images.get(e)!, a);
      await copyToOci(images.get(e)!, b);
      const ta = treeBytes(a);
      const tb = treeBytes(b);
      assert.deepEqual([...ta.keys()].sort(), [...tb.keys()].sort());
      for (const [k, v] of ta) assert.ok(v.equals(tb.get(k)!), `${e}: ${k} differs`);
    }
  });

  test('changing `created` changes the config, never the layers', async () => {
    const expr = (created: string) => `longshore.buildImage { name = "dated"; created = "${created}"; config.entrypoint = [ "\${pkgs.hello}/bin/hello" ]; }`;
    const a = loadImageFile(await nixBuild(expr('1970-01-01T00:00:01Z')));
    const b = loadImageFile(await nixBuild(expr('2024-05-01T12:00:00Z')));
    assert.deepEqual(a.layers.map((l) => l.digest), b.layers.map((l) => l.digest));
    assert.notEqual(a.created, b.created);
  });

});

describe("nix2container's argument names", () => {
  const root = (arg: string) => `longshore.buildImage { name = "migrated"; ${arg} = pkgs.hello; config.entrypoint = [ "/bin/hello" ]; }`;

  test('its other buildImage arguments are accepted, and `contents` is copyToRoot', async () => {
    const viaContents = await nixBuild(root('contents'));
    assert.equal(viaContents, await nixBuild(root('copyToRoot')), 'the same image, by store path');
    // Without initializeNixDatabase these change nothing (as in nix2container); meta is no input.
    const extras = await nixBuild(root('copyToRoot').replace('{ ', '{ nixUid = 1000; nixGid = 1000; fromImageEnv = true; meta.description = "x"; '));
    assert.equal(extras, viaContents);
    // buildLayer takes `contents` too.
    const layer = await nixBuild(`longshore.buildLayer { contents = pkgs.hello; }`);
    assert.equal(layer, await nixBuild(`longshore.buildLayer { copyToRoot = pkgs.hello; }`));
  });

  test('a misspelled argument fails the evaluation, naming it', async () => {
    await assert.rejects(nixBuild(`longshore.buildImage { name = "typo"; maxLayer = 4; }`), /unexpected argument 'maxLayer'/);
    await assert.rejects(nixBuild(`longshore.buildImage { name = "both"; contents = pkgs.hello; copyToRoot = pkgs.hello; }`), /give copyToRoot or its deprecated name contents, not both/);
  });

  test('imageRefUnsafe is NAME:TAG, as in nix2container', async () => {
    const out = await nixBuild(`let i = longshore.buildImage { name = "localhost/ref"; }; in pkgs.writeText "ref" "\${i.imageRefUnsafe} \${i.imageName}:\${i.imageTag}"`);
    const [ref, expected] = readFileSync(out, 'utf8').split(' ');
    assert.equal(ref, expected);
    assert.match(ref, /^localhost\/ref:[0-9a-z]{32}$/);
  });
});

describe('initializeNixDatabase', () => {
  const image = (extra = '') =>
    `longshore.buildImage { name = "nixdb"; initializeNixDatabase = true; nixUid = 1000; nixGid = 100; maxLayers = 3; ${extra} config.entrypoint = [ "\${pkgs.hello}/bin/hello" ]; }`;

  test("the image's store paths are registered, and nix-store verifies them against the unpacked image", async () => {
    const built = await nixBuild(image());
    const dir = join(work, 'nixdb');
    await copyToOci(built, dir);
    const rootfs = await umociUnpack(`${dir}:test`, join(work, 'nixdb-bundle'));
    const db = join(rootfs, 'nix/var/nix/db/db.sqlite');
    const registered = (await execa('sqlite3', [db, 'SELECT path FROM ValidPaths ORDER BY path'])).stdout.split('\n');
    // Every store path in the image but the database's own, which cannot register itself.
    const inStore = readdirSync(join(rootfs, 'nix/store'))
      .filter((n) => n !== '.links' && !n.endsWith('-nixdb-nix-database'))
      .map((n) => `/nix/store/${n}`)
      .sort();
    assert.deepEqual(registered, inStore);
    assert.ok(registered.some((p) => p.endsWith('-hello')), registered.join('\n'));
    // The host's own nix reads the image's database and checks each path's NAR hash.
    const verify = await execa('nix-store', ['--store', `local?root=${rootfs}`, '--verify', '--check-contents'], { reject: false, all: true });
    assert.equal(verify.exitCode, 0, verify.all);
    assert.doesNotMatch(verify.all ?? '', /error|disappeared|modified|invalid/i);
    // nixUid:nixGid own the database and the directories a non-root nix writes to.
    for (const p of ['nix', 'nix/store', 'nix/var/nix/db', 'nix/var/nix/db/db.sqlite']) {
      const st = lstatSync(join(rootfs, p));
      assert.deepEqual([st.uid, st.gid], [1000, 100], p);
    }
  });

  test('the database is the same bytes when rebuilt (nix-build --check)', async () => {
    await nixBuild(`(${image()}).nixDatabase`);
    await nixBuild(`(${image()}).nixDatabase`, { extraArgs: ['--check'] });
  });

  test('a package set without nix and sqlite gets a clear error', async () => {
    const bare = `(import ${ROOT}/nix { inherit (pkgs) runCommand writeText writeShellScriptBin longshore system; })`;
    await assert.rejects(nixBuild(`${bare}.buildImage { name = "nixdb"; initializeNixDatabase = true; }`), /initializeNixDatabase needs `nix` and `sqlite`/);
  });
});

describe('the build-time commands', () => {
  test('load neither undici, yargs nor execa, nor an HTTP module', async () => {
    // A fresh build (the traced node is a new path, so every longshore derivation is rebuilt) of
    // build-layers, build-image with own layers and digest workers, and build-nix-db.
    const { node, file } = tracingNode();
    await nixBuild(
      `let deps = longshore.buildLayer { deps = [ pkgs.busybox ]; }; in longshore.buildImage { name = "traced"; layers = [ deps ]; maxLayers = 3; initializeNixDatabase = true; config.entrypoint = [ "\${pkgs.hello}/bin/hello" ]; }`,
      { node },
    );
    const text = readFileSync(file, 'utf8');
    const runs = text.split('\n').filter((l) => l.startsWith('MODULES ')).length;
    assert.ok(runs >= 3, `expected build-layers, build-image and build-nix-db to run, got ${runs} traces`);
    const { packages, builtins } = parseLoaded(text);
    for (const p of ['undici', 'yargs', 'execa']) assert.ok(!packages.has(p), `${p} was loaded (${[...packages].join(', ')})`);
    // (node:net is loaded by Node itself when stderr is a pipe.)
    for (const b of ['node:http', 'node:tls', 'node:http2']) assert.ok(!builtins.has(b), `${b} was loaded`);
  });
});
