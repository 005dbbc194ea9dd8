// flake.nix as users run it: `nix build`, `nix run` and `nix flake check` on this repository, and
// consumer flakes that take it as an input (the README's snippet, and an image written as
// nix2container's README writes one), with the `nixpkgs` input overridden by a stand-in made from
// the tests' package set (test/helpers/flake.ts). Nothing is fetched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT, tmp } from '../helpers/nix.js';
import { REPO, SYSTEM, consumerFlake, nix, readmeFlake } from '../helpers/flake.js';
import { startRegistry, type Registry } from '../helpers/registry.js';
import { makePodman, type Podman } from '../helpers/podman.js';
import { umociUnpack } from '../helpers/oci.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** `nix build --json` → the out paths, in order. */
async function build(installables: string[], cwd?: string): Promise<string[]> {
  const [first, ...rest] = installables;
  const r = await nix('build', first, [...rest, '--no-link', '--json'], { cwd });
  assert.equal(r.exitCode, 0, r.all);
  return (JSON.parse(r.stdout) as { outputs: { out: string } }[]).map((o) => o.outputs.out);
}

async function evalRaw(installable: string, cwd?: string): Promise<string> {
  const r = await nix('eval', installable, ['--raw'], { cwd });
  assert.equal(r.exitCode, 0, r.all);
  return r.stdout;
}

/** A consumer flake's inputs (consumerFlake points the longshore input at this checkout). */
const INPUTS = `  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.longshore.url = "";
  inputs.longshore.inputs.nixpkgs.follows = "nixpkgs";
`;

describe('the flake (stand-in nixpkgs)', { timeout: 600_000 }, () => {
  let reg: Registry;
  let p: Podman;
  before(async () => {
    [reg, p] = await Promise.all([startRegistry(), makePodman()]);
  });
  after(async () => {
    await reg?.stop();
    await p?.stop();
  });

  test('flake.nix takes nothing from nixpkgs but legacyPackages: no lib, no fakeHash, no pinned Node', () => {
    const text = readFileSync(join(ROOT, 'flake.nix'), 'utf8').replace(/^\s*#.*$/gm, '');
    assert.doesNotMatch(text, /fakeHash|buildNpmPackage|npmDepsHash/);
    assert.doesNotMatch(text, /nixpkgs\.lib\b|\bpkgs\.lib\b/);
    assert.doesNotMatch(text, /nodejs[-_]\d+/);
    assert.match(text, /nixpkgs\.legacyPackages\.\$\{system\}/);
  });

  test('nix build .#longshore: the committed dist/ and the launcher on the package set\'s nodejs, the same derivation the tests build', async () => {
    const [out] = await build([`${REPO}#longshore`]);
    const v = await execa(join(out, 'bin/longshore'), ['--version']);
    assert.equal(v.stdout.trim(), VERSION);
    const launcher = readFileSync(join(out, 'bin/longshore'), 'utf8');
    assert.match(launcher, /^node=\/nix\/store\/[0-9a-z]{32}-host-nodejs\/bin\/node$/m);
    assert.match(launcher, new RegExp(`^main=${out}/lib/longshore/dist/longshore\\.mjs$`, 'm'));
    assert.ok(readFileSync(join(out, 'lib/longshore/dist/longshore.mjs')).equals(readFileSync(join(ROOT, 'dist/longshore.mjs'))));
    // test/nix/pkgs.nix installs the CLI with the same nix/package.nix: one derivation.
    const tests = await execa('nix-instantiate', [
      '--eval', '--expr', `(import ${ROOT}/test/nix/pkgs.nix { node = ${JSON.stringify(process.execPath)}; dist = ${ROOT}/dist; system = "${SYSTEM}"; }).longshore.outPath`,
    ]);
    assert.equal(JSON.parse(tests.stdout), out);
    // `nix run` with no attribute runs the CLI (apps.default).
    const run = await nix('run', REPO, ['--version']);
    assert.equal(run.exitCode, 0, run.all);
    assert.equal(run.stdout.trim(), VERSION);
  });

  test('nix run .#hello.copyTo -- oci:DIR: a layout that skopeo and umoci read', async () => {
    const dir = tmp('longshore-flake-oci-');
    const r = await nix('run', `${REPO}#hello.copyTo`, [`oci:${dir}/layout:v1`, '-q']);
    assert.equal(r.exitCode, 0, r.all);
    const cfg = JSON.parse((await execa('skopeo', ['inspect', '--config', `oci:${dir}/layout:v1`])).stdout) as { config: { Entrypoint: string[] } };
    assert.match(cfg.config.Entrypoint[0], /^\/nix\/store\/[0-9a-z]{32}-hello\/bin\/hello$/);
    const rootfs = await umociUnpack(`${dir}/layout:v1`, join(dir, 'bundle'));
    assert.equal((await execa(join(rootfs, cfg.config.Entrypoint[0].slice(1)))).stdout.trim(), 'Hello, world!');
    // `image` is hello under the name the README's commands use.
    assert.equal(await evalRaw(`${REPO}#image.imageRefUnsafe`), await evalRaw(`${REPO}#hello.imageRefUnsafe`));
  });

  test("the README's flake: a consumer builds its image with longshore.lib and pushes it with nix run .#image.copyToRegistry", async () => {
    const snippet = readmeFlake();
    assert.match(snippet, /inputs\.longshore\.inputs\.nixpkgs\.follows = "nixpkgs";/);
    const dir = consumerFlake(snippet.replace('"registry.example.com/hello"', `"${reg.host}/hello"`));
    const r = await nix('run', '.#image.copyToRegistry', ['--json'], { cwd: dir });
    assert.equal(r.exitCode, 0, r.all);
    const tag = await evalRaw('.#image.imageTag', dir);
    assert.match(tag, /^[0-9a-z]{32}$/);
    assert.equal(JSON.parse(r.stdout.trim().split('\n').pop()!).reference, `${reg.host}/hello:${tag}`);
    const cfg = JSON.parse((await execa('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${reg.host}/hello:${tag}`])).stdout) as { config: { Entrypoint: string[] } };
    assert.match(cfg.config.Entrypoint[0], /-hello\/bin\/hello$/);
    // Extra flags pass through (skopeo's spelling too): a second push sends nothing.
    const again = await nix('run', '.#image.copyToRegistry', ['--json', '--dest-tls-verify=false'], { cwd: dir });
    assert.equal(again.exitCode, 0, again.all);
    assert.equal(JSON.parse(again.stdout.trim().split('\n').pop()!).bytesSent, 0);
  });

  test('nix run .#hello.copyToPodman, then podman run prints "Hello, world!"', async () => {
    const r = await nix('run', `${REPO}#hello.copyToPodman`, [], { env: { ...p.env, CONTAINER_HOST: '' } });
    assert.equal(r.exitCode, 0, r.all);
    const run = await p.run(await evalRaw(`${REPO}#hello.imageRefUnsafe`));
    assert.equal(run.exitCode, 0, run.all);
    assert.equal(run.stdout.trim(), 'Hello, world!');
  });

  test('lib.mkLib and overlays.default bind the same library to a package set', async () => {
    const dir = consumerFlake(`{
${INPUTS}  outputs = { self, nixpkgs, longshore }: let
    pkgs = nixpkgs.legacyPackages.x86_64-linux;
    # An overlay applied by hand: the stand-in package set is not nixpkgs' function.
    withOverlay = pkgs // longshore.overlays.default withOverlay pkgs;
    image = l: l.buildImage { name = "same"; config.entrypoint = [ "\${pkgs.hello}/bin/hello" ]; };
  in {
    packages.x86_64-linux = {
      lib = image longshore.lib.x86_64-linux;
      mkLib = image (longshore.lib.mkLib pkgs);
      overlay = image withOverlay.longshoreLib;
      cli = withOverlay.longshore;
    };
  };
}
`);
    const [lib, mkLib, overlay, cli] = await build(['.#lib', '.#mkLib', '.#overlay', '.#cli'], dir);
    assert.equal(mkLib, lib);
    assert.equal(overlay, lib);
    assert.equal((await execa(join(cli, 'bin/longshore'), ['--version'])).stdout.trim(), VERSION);
  });

  test("migration: an image written as nix2container's README writes it builds through the flake and runs in Podman", async () => {
    // Only the input changes: nix2container.packages.x86_64-linux.nix2container → longshore.lib.x86_64-linux.
    const dir = consumerFlake(`{
${INPUTS}  outputs = { self, nixpkgs, longshore }: let
    pkgs = nixpkgs.legacyPackages.x86_64-linux;
    nix2container = longshore.lib.x86_64-linux;
    # examples/openbar.nix: /tmp with mode 0777, without root or a VM.
    tmp = pkgs.runCommand "tmp" {} ''
      mkdir -p $out/tmp
    '';
    root = pkgs.buildEnv { name = "root"; paths = [ pkgs.busybox ]; pathsToLink = [ "/bin" ]; };
  in {
    packages.x86_64-linux.migrated = nix2container.buildImage {
      name = "migrated";
      copyToRoot = [ root tmp ];
      perms = [
        {
          path = tmp;
          regex = ".*";
          mode = "0777";
        }
      ];
      layers = [
        (nix2container.buildLayer { deps = [ pkgs.hello ]; })
      ];
      initializeNixDatabase = true;
      config = {
        entrypoint = [ "\${pkgs.hello}/bin/hello" ];
        Env = [ "PATH=/bin" ];
      };
    };
  };
}
`);
    const r = await nix('run', '.#migrated.copyToPodman', [], { cwd: dir, env: { ...p.env, CONTAINER_HOST: '' } });
    assert.equal(r.exitCode, 0, r.all);
    const ref = await evalRaw('.#migrated.imageRefUnsafe', dir);
    const run = await p.run(ref);
    assert.equal(run.exitCode, 0, run.all);
    assert.equal(run.stdout.trim(), 'Hello, world!');
    // The layer of buildLayer holds hello; /tmp is 0777; the Nix database lists the image's store paths.
    const look = await p.podman(['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network=none', '--entrypoint', '/bin/sh', ref, '-c',
      'stat -c %a /tmp; ls /nix/var/nix/db/db.sqlite; ls -d /nix/store/*-hello']);
    assert.equal(look.exitCode, 0, look.all);
    assert.match(look.stdout, /^777\n\/nix\/var\/nix\/db\/db\.sqlite\n\/nix\/store\/[0-9a-z]{32}-hello$/);
    const layers = JSON.parse((await p.podman(['image', 'inspect', '--format', 'json', ref])).stdout)[0].RootFS.Layers as string[];
    assert.equal(layers.length, 2, "the buildLayer layer and the image's own");
  });

  test('nix flake check', async () => {
    const r = await nix('flake', 'check', [REPO]);
    assert.equal(r.exitCode, 0, r.all);
  });
});
