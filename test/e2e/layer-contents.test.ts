// Layer contents exactly as declared, with real Nix builds read back by umoci, Podman and dockerd:
// perms on a copyToRoot entry leave its store copy as Nix made it (the image's own Nix database
// verifies it), any file name round-trips, copyToRoot aliases, and errors that name the rule at fault.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { longshore, nixBuild, nixBuildLog, tmp } from '../helpers/nix.js';
import { umociUnpack } from '../helpers/oci.js';
import { makePodman, type Podman } from '../helpers/podman.js';
import { startDockerd, type Dockerd } from '../helpers/docker.js';
import { loadImageFile } from '../../src/image/schema.js';

const nonce = String(Date.now());
const work = tmp();

let podman: Podman;
before(async () => {
  podman = await makePodman();
});
after(async () => {
  await podman?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Copies an image to a fresh OCI layout and unpacks it with umoci; returns the layout and rootfs. */
async function ociAndRootfs(image: string, name: string): Promise<{ layout: string; rootfs: string }> {
  const layout = join(work, `oci-${name}`);
  const r = await longshore(['copy', '-q', image, `oci:${layout}:t`]);
  assert.equal(r.exitCode, 0, r.all);
  return { layout, rootfs: await umociUnpack(`${layout}:t`, join(work, `bundle-${name}`)) };
}

/** Every path under dir (relative, "" for dir itself), names as bytes decoded latin1 so any byte survives. */
function walk(dir: string, rel = ''): string[] {
  const out = [rel];
  const st = lstatSync(rel ? join(dir, rel) : dir);
  if (!st.isDirectory()) return out;
  for (const n of readdirSync(Buffer.from(rel ? join(dir, rel) : dir, 'latin1'), { encoding: 'buffer' }))
    out.push(...walk(dir, rel ? `${rel}/${n.toString('latin1')}` : n.toString('latin1')));
  return out;
}
const lat = (p: string) => Buffer.from(p, 'latin1');

/**
 * The host's nix-store with every library it loads, in one store path, so that it runs inside a
 * container: `ld.so --library-path lib bin/nix-store …`. Builds run without a sandbox, as the tests'
 * package set's other host tools do.
 */
function nixInImage(): string {
  const libs = execFileSync('ldd', ['/usr/bin/nix'])
    .toString()
    .split('\n')
    .map((l) => /=> (\/\S+)/.exec(l)?.[1])
    .filter((l): l is string => !!l);
  return `pkgs.runCommand "nix-in-image" { } ''
    mkdir -p $out/bin $out/lib
    cp /usr/bin/nix $out/bin/nix-store
    cp ${libs.join(' ')} $out/lib/
    cp /lib64/ld-linux-x86-64.so.2 $out/lib/ld.so
  ''`;
}

describe('perms and the two copies of a copyToRoot entry', () => {
  // nix2container's "openbar" pattern on a copyToRoot entry, in an image with a Nix database.
  const openbar = `let
      app = pkgs.runCommand "openbar-app" { n = "${nonce}"; } ''
        mkdir -p $out/opt/app/bin $out/etc/app
        printf '#!\${pkgs.busybox}/bin/sh\\necho app\\n' > $out/opt/app/bin/app
        chmod 0555 $out/opt/app/bin/app
        echo conf > $out/etc/app/app.conf
        ln -s ../../etc/app/app.conf $out/opt/app/conf
      '';
      nixTool = ${nixInImage()};
    in longshore.buildImage {
      name = "openbar";
      copyToRoot = app;
      initializeNixDatabase = true;
      perms = [ { path = app; regex = ".*"; mode = "0777"; uid = 1000; gid = 1000; uname = "app"; gname = "app"; } ];
      config.Env = [ "HOME=/" "USER=root" ];
      config.Labels.busybox = "\${pkgs.busybox}";
      config.Cmd = [ "\${nixTool}/lib/ld.so" "--library-path" "\${nixTool}/lib" "\${nixTool}/bin/nix-store" "--verify" "--check-contents" ];
    }`;
  let image: string;
  let log: string;
  let app: string;
  let layout: string;
  let rootfs: string;

  before(async () => {
    ({ out: image, log } = await nixBuildLog(openbar));
    app = loadImageFile(image).layers.flatMap((l) => l.paths).find((p) => p.endsWith('-openbar-app'))!;
    ({ layout, rootfs } = await ociAndRootfs(image, 'openbar'));
  });

  test('the copy at / has the requested modes and owners; the root directory itself is not part of the entry', () => {
    for (const p of ['opt', 'opt/app', 'opt/app/bin', 'opt/app/bin/app', 'etc/app', 'etc/app/app.conf']) {
      const st = lstatSync(join(rootfs, p));
      assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o777, 1000, 1000], p);
    }
    assert.equal(readlinkSync(join(rootfs, 'opt/app/conf')), '../../etc/app/app.conf');
    assert.equal(lstatSync(join(rootfs, 'opt/app/conf')).uid, 1000);
    assert.equal(lstatSync(rootfs).mode & 0o7777, 0o755);
  });

  test('the store copy is exactly what Nix made: owner 0:0, the modes of the host store, no warning', () => {
    const entries = walk(app);
    assert.ok(entries.length >= 8, entries.join(' '));
    for (const rel of entries) {
      const host = lstatSync(lat(rel ? join(app, rel) : app));
      const inImage = lstatSync(lat(join(rootfs, app, rel)));
      assert.deepEqual([inImage.mode, inImage.uid, inImage.gid], [host.mode, 0, 0], `${app}/${rel}`);
    }
    assert.doesNotMatch(log, /warning/);
    // The layer record says so: the rule applies to the copy at / only.
    const rules = loadImageFile(image).layers.flatMap((l) => l.perms);
    assert.deepEqual(rules.filter((r) => r.path === app).map((r) => [r.regex, r.scope]), [['.*', 'root']]);
  });

  test("the image's Nix database verifies every store path: the host's nix-store on the unpacked rootfs", async () => {
    const r = await execa('nix-store', ['--store', `local?root=${rootfs}`, '--verify', '--check-contents'], { reject: false, all: true });
    assert.equal(r.exitCode, 0, r.all);
    assert.doesNotMatch(r.all ?? '', /modified|error|invalid/i);
  });

  test("and inside the image, run by Podman: the image's own nix-store --verify --check-contents passes", async () => {
    const run = (args: string[] = []) => podman.podman(['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network=none', `oci:${layout}:t`, ...args]);
    const r = await run();
    assert.equal(r.exitCode, 0, r.all);
    assert.match(r.all ?? '', /checking store hashes\.\.\./);
    assert.doesNotMatch(r.all ?? '', /modified|error|invalid/i);
    // The control: the same check in a container whose store copy was made executable fails.
    const config = loadImageFile(image).config as { Cmd: string[]; Labels: Record<string, string> };
    const busybox = config.Labels.busybox;
    const tampered = await run([`${busybox}/bin/sh`, '-c', `chmod 0755 ${app}/etc/app/app.conf; ${config.Cmd.join(' ')}`]);
    assert.match(tampered.all ?? '', new RegExp(`path '${app}' was modified!`));
    // The same image, both copies, as the container sees them.
    const stat = await podman.podman(['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network=none', `oci:${layout}:t`, `${busybox}/bin/stat`, '-c', '%a %u:%g %n', '/opt/app/bin/app', `${app}/opt/app/bin/app`, `${app}/opt/app/bin`]);
    assert.equal(stat.exitCode, 0, stat.all);
    assert.equal(stat.stdout, `777 1000:1000 /opt/app/bin/app\n555 0:0 ${app}/opt/app/bin/app\n555 0:0 ${app}/opt/app/bin`);
  });
});

describe('perms on a plain dependency and declarations inside a store path', () => {
  test('still change the store path, and with initializeNixDatabase the build warns, naming each', async () => {
    const expr = `let dep = pkgs.runCommand "plain-dep" { n = "${nonce}"; } "mkdir -p $out/share; echo data > $out/share/data";
      in longshore.buildImage {
        name = "plaindep";
        initializeNixDatabase = true;
        config.Cmd = [ "\${dep}/share/data" ];
        perms = [ { path = dep; regex = "/share/data$"; mode = "0755"; } ];
        users = [ { name = "app"; uid = 1000; home = "\${dep}/home"; } ];
        directories = [ { path = "\${dep}/share"; mode = "0777"; } ];
      }`;
    const { out, log } = await nixBuildLog(expr);
    const dep = loadImageFile(out).layers.flatMap((l) => l.paths).find((p) => p.endsWith('-plain-dep'))!;
    assert.ok(log.includes(`longshore: warning: perms[0] (path ${dep}, regex "/share/data$") changes the store copy of ${dep}, which the Nix database of initializeNixDatabase registers`), log);
    assert.ok(log.includes(`longshore: warning: users[0] (app) home (${dep}/home) lands inside store path ${dep}`), log);
    assert.ok(log.includes(`longshore: warning: directories[0] (${dep}/share) lands inside store path ${dep}`), log);
    const { rootfs } = await ociAndRootfs(out, 'plaindep');
    assert.equal(lstatSync(join(rootfs, dep, 'share/data')).mode & 0o7777, 0o755);
    assert.equal(lstatSync(join(rootfs, dep, 'home')).uid, 1000);
    // A declared directory on a directory of the store path sets its mode, as a perms rule would.
    assert.equal(lstatSync(join(rootfs, dep, 'share')).mode & 0o7777, 0o777);
    assert.equal(readFileSync(join(rootfs, dep, 'share/data'), 'utf8'), 'data\n');
    // What the warning says: the database no longer verifies that path.
    const r = await execa('nix-store', ['--store', `local?root=${rootfs}`, '--verify', '--check-contents'], { reject: false, all: true });
    assert.match(r.all ?? '', new RegExp(`path '${dep}' was modified`));
  });
});

describe('file names that are not UTF-8', () => {
  // ISO-8859-1: "file-ä.txt", a symlink "link-é" to "ziel-ü"; in a store path and at / (copyToRoot).
  const expr = `let odd = pkgs.runCommand "odd-names" { n = "${nonce}"; } ''
        mkdir -p $out/data
        printf latin-1 > "$out/data/file-$(printf '\\344').txt"
        printf target > "$out/data/ziel-$(printf '\\374')"
        ln -s "ziel-$(printf '\\374')" "$out/data/link-$(printf '\\351')"
      '';
    in longshore.buildImage {
      name = "odd-names";
      copyToRoot = odd;
      config.Cmd = [ "\${pkgs.busybox}/bin/sh" "-c" "for f in /data/* \${odd}/data/*; do echo \\"$f\\"; done; for l in /data/link-* \${odd}/data/link-*; do readlink \\"$l\\"; done; cat /data/link-*" ];
    }`;
  let image: string;
  let odd: string;
  let expected: Buffer;

  before(async () => {
    image = await nixBuild(expr);
    odd = loadImageFile(image).layers.flatMap((l) => l.paths).find((p) => p.endsWith('-odd-names'))!;
    const names = ['file-\xe4.txt', 'link-\xe9', 'ziel-\xfc'];
    expected = lat([...names.map((n) => `/data/${n}\n`), ...names.map((n) => `${odd}/data/${n}\n`), 'ziel-\xfc\nziel-\xfc\ntarget'].join(''));
  });

  test('the layer holds the raw bytes in PAX records marked hdrcharset=BINARY; GNU tar lists them', async () => {
    const { layout, rootfs } = await ociAndRootfs(image, 'odd');
    const blob = join(layout, 'blobs/sha256', loadImageFile(image).layers[0].digest.slice(7));
    const bytes = readFileSync(blob);
    assert.ok(bytes.includes(lat('21 hdrcharset=BINARY\n')));
    assert.ok(bytes.includes(lat(' path=data/file-\xe4.txt\n')));
    assert.ok(bytes.includes(lat(' linkpath=ziel-\xfc\n')));
    const listed = execFileSync('tar', ['--warning=no-unknown-keyword', '--quoting-style=literal', '-tvf', blob]).toString('latin1');
    assert.match(listed, /data\/link-\xe9 -> ziel-\xfc\n/);
    // umoci writes the same bytes to disk.
    for (const base of ['', odd.slice(1)]) {
      const dir = join(rootfs, base, 'data');
      assert.deepEqual(readdirSync(lat(dir), { encoding: 'buffer' }).map((b) => b.toString('latin1')).sort(), ['file-\xe4.txt', 'link-\xe9', 'ziel-\xfc']);
      assert.equal(readlinkSync(lat(join(dir, 'link-\xe9')), { encoding: 'buffer' }).toString('latin1'), 'ziel-\xfc');
      assert.equal(readFileSync(lat(join(dir, 'file-\xe4.txt')), 'utf8'), 'latin-1');
    }
  });

  test('Podman runs the image and sees the same bytes', async () => {
    const layout = join(work, 'oci-odd');
    const r = await execa('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network=none', `oci:${layout}:t`], { env: podman.env, encoding: 'buffer', reject: false });
    assert.equal(r.exitCode, 0, Buffer.from(r.stderr).toString());
    assert.equal(Buffer.from(r.stdout).toString('latin1'), expected.toString('latin1'));
  });

  test('dockerd loads it (docker-daemon:) and docker run sees the same bytes', async () => {
    let dockerd: Dockerd | undefined;
    try {
      dockerd = await startDockerd();
      const r = await longshore(['copy', '-q', image, 'docker-daemon:odd-names:t'], dockerd.env);
      assert.equal(r.exitCode, 0, r.all);
      const run = await execa('docker', ['-H', dockerd.host, 'run', '--rm', '--network=none', 'odd-names:t'], { encoding: 'buffer', reject: false });
      assert.equal(run.exitCode, 0, Buffer.from(run.stderr).toString());
      assert.equal(Buffer.from(run.stdout).toString('latin1'), expected.toString('latin1'));
    } finally {
      await dockerd?.stop();
    }
  });
});

describe('copyToRoot aliases', () => {
  test("an entry that is a symlink to a store directory puts that directory's contents at /; both store paths stay", async () => {
    const image = await nixBuild(`let real = pkgs.runCommand "alias-real" { n = "${nonce}"; } "mkdir -p $out/etc; echo hello > $out/etc/greeting";
        alias = pkgs.runCommand "alias" { } "ln -s \${real} $out";
      in longshore.buildImage { name = "alias"; copyToRoot = alias; }`);
    const paths = loadImageFile(image).layers.flatMap((l) => l.paths);
    const alias = paths.find((p) => p.endsWith('-alias'))!;
    const real = paths.find((p) => p.endsWith('-alias-real'))!;
    assert.ok(alias && real, paths.join(' '));
    const { rootfs } = await ociAndRootfs(image, 'alias');
    assert.equal(readFileSync(join(rootfs, 'etc/greeting'), 'utf8'), 'hello\n');
    assert.equal(readlinkSync(join(rootfs, alias)), real);
    assert.equal(readFileSync(join(rootfs, real, 'etc/greeting'), 'utf8'), 'hello\n');
  });

  test('an entry that is a file, or a symlink to one, gets an error naming it', async () => {
    await assert.rejects(
      nixBuild(`longshore.buildImage { name = "f"; copyToRoot = pkgs.writeText "a-file-${nonce}" "x"; }`),
      /longshore: error: copyToRoot entry \/nix\/store\/[0-9a-z]{32}-a-file-\d+ is a file, not a directory: copyToRoot puts the contents of a directory at \/\nhint: put the file in a directory/,
    );
    await assert.rejects(
      nixBuild(`let f = pkgs.writeText "a-file-${nonce}" "x"; in longshore.buildImage { name = "f"; copyToRoot = pkgs.runCommand "to-file" { } "ln -s \${f} $out"; }`),
      /copyToRoot entry \/nix\/store\/[0-9a-z]{32}-to-file is a symlink to \/nix\/store\/[0-9a-z]{32}-a-file-\d+, which is a file, not a directory/,
    );
  });
});

describe('errors that name the rule at fault', () => {
  const twoBins = `a = pkgs.runCommand "bin-a" { n = "${nonce}"; } "mkdir -p $out/bin; echo a > $out/bin/a";
      b = pkgs.runCommand "bin-b" { n = "${nonce}"; } "mkdir -p $out/bin; echo b > $out/bin/b";`;
  const perms = 'perms = [ { path = a; regex = ".*"; mode = "0755"; uid = 65534; gid = 65534; } ];';

  test('/bin from two copyToRoot entries, one changed by a perms rule: both sources, the attributes, the rule and the fix', async () => {
    const err = await nixBuild(`let ${twoBins} in longshore.buildImage { name = "bins"; copyToRoot = [ a b ]; ${perms} }`).then(
      () => assert.fail('the build succeeded'),
      (e: Error) => e.message,
    );
    const line = /longshore: error: (.*)\nhint: (.*)/.exec(err);
    assert.ok(line, err);
    const [, message, hint] = line;
    assert.match(message, /^\/bin is provided twice, with a different mode \((0755 vs 0555|0555 vs 0755)\) and owner \((65534:65534 vs 0:0|0:0 vs 65534:65534)\): by /);
    assert.match(message, /copyToRoot \/nix\/store\/[0-9a-z]{32}-bin-a, with attributes set by perms\[0\] \(regex "\.\*": mode 0755, uid 65534, gid 65534\)/);
    assert.match(message, /copyToRoot \/nix\/store\/[0-9a-z]{32}-bin-b, as in the store/);
    assert.equal(hint, 'narrow the regex of perms[0] (".*") so that it does not match "/bin"; or declare /bin once, e.g. directories = [ { path = "/bin"; mode = "0555"; } ]: a declared directory replaces what copyToRoot entries provide');
  });

  test('the fix the hint names works: /bin declared once', async () => {
    const image = await nixBuild(`let ${twoBins} in longshore.buildImage { name = "bins"; copyToRoot = [ a b ]; ${perms} directories = [ { path = "/bin"; mode = "0755"; } ]; }`);
    const { rootfs } = await ociAndRootfs(image, 'bins');
    const st = lstatSync(join(rootfs, 'bin'));
    assert.deepEqual([st.mode & 0o7777, st.uid], [0o755, 0]);
    assert.deepEqual(readdirSync(join(rootfs, 'bin')).sort(), ['a', 'b']);
    assert.equal(lstatSync(join(rootfs, 'bin/a')).uid, 65534);
  });

  test('a declaration over an entry of a store path names the declaration', async () => {
    await assert.rejects(
      nixBuild(`let d = pkgs.runCommand "decl-dep" { n = "${nonce}"; } "mkdir -p $out/share; echo x > $out/share/x"; in longshore.buildImage { name = "decl"; config.Cmd = [ "\${d}/share/x" ]; symlinks = [ { path = "\${d}/share"; target = "/tmp"; } ]; }`),
      /longshore: error: \/nix\/store\/[0-9a-z]{32}-decl-dep\/share is declared \(symlinks\[0\], a symlink\) but is also a directory inside store path \/nix\/store\/[0-9a-z]{32}-decl-dep\nhint: declare a path outside that store path; to change the attributes of a store path's entries, use perms/,
    );
  });

  test('more than 125 layers made by `layers` says so, not "lower maxLayers" when it is 1', async () => {
    // One derivation with 130 outputs: 130 store paths, each its own layer in two buildLayers.
    const outs = Array.from({ length: 130 }, (_, i) => `o${i}`);
    const expr = `let
        many = pkgs.runCommand "many-${nonce}" { outputs = [ ${outs.map((o) => `"${o}"`).join(' ')} ]; } ''
          for o in ${outs.join(' ')}; do eval "echo $o > \\$$o"; done
        '';
        pick = from: to: map (o: many.\${o}) (builtins.genList (i: "o\${toString (from + i)}") (to - from));
        l1 = longshore.buildLayer { deps = pick 0 100; maxLayers = 100; layeringStrategy = "popularity"; };
        l2 = longshore.buildLayer { deps = pick 100 130; maxLayers = 30; layeringStrategy = "popularity"; };
      in longshore.buildImage { name = "many"; layers = [ l1 l2 ]; copyToRoot = pkgs.runCommand "top-${nonce}" { } "mkdir -p $out/etc; echo x > $out/etc/x"; }`;
    const err = await nixBuild(expr).then(() => assert.fail('the build succeeded'), (e: Error) => e.message);
    assert.match(
      err,
      /longshore: error: the image would have 131 layers, and Docker refuses more than 125: 130 from `layers` \(2 buildLayer results\), 1 of its own \(maxLayers = 1\); most come from `layers`\nhint: give `layers` fewer buildLayer results, or build them with a lower maxLayers/,
    );
    assert.doesNotMatch(err, /lower maxLayers to/);
  });
});
