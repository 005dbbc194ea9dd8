// The flake as users run it, offline: a stand-in nixpkgs flake made from the tests' package set
// (test/nix/pkgs.nix), overriding the flake's `nixpkgs` input, and consumer flakes that take this
// repository as an input. This repository is a git checkout, so Nix takes its tracked files
// (git+file): a new file must be `git add`ed before a flake sees it.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { NIX_OPTS, ROOT, tmp } from './nix.js';

/** This repository as a flake reference. */
export const REPO = `git+file://${ROOT}`;

let standIn: string | undefined;

/**
 * A flake whose legacyPackages.<system> is test/nix/pkgs.nix (this checkout's, by a non-flake
 * input) with the node running the tests, a copy of the host's static busybox and of the arm64 one
 * scripts/setup.sh unpacks (.tools/ is git-ignored, so the checkout's flake source lacks it), for
 * both systems flake.nix knows (aarch64-linux is only evaluated).
 */
export function standInNixpkgs(): string {
  if (standIn) return standIn;
  const dir = tmp('longshore-nixpkgs-');
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  copyFileSync(join(ROOT, '.tools/busybox-arm64/bin/busybox'), join(dir, 'busybox-arm64'));
  writeFileSync(
    join(dir, 'flake.nix'),
    `{
  description = "stand-in nixpkgs: longshore's test package set";
  inputs.longshore-src = { url = "${REPO}"; flake = false; };
  outputs = { self, longshore-src }:
    let pkgsFor = system: import "\${longshore-src}/test/nix/pkgs.nix" { inherit system; node = ${JSON.stringify(process.execPath)}; busyboxBinary = ./busybox; busyboxArm64Binary = ./busybox-arm64; };
    in { legacyPackages.x86_64-linux = pkgsFor "x86_64-linux"; legacyPackages.aarch64-linux = pkgsFor "aarch64-linux"; };
}
`,
  );
  return (standIn = dir);
}

/** The options every flake command here takes: the stand-in nixpkgs, no lock file written. */
export const flakeOpts = (): string[] => [...NIX_OPTS, '--override-input', 'nixpkgs', `path:${standInNixpkgs()}`, '--no-write-lock-file'];

/** Runs `nix SUBCOMMAND INSTALLABLE <flake options> ARGS…` (for `nix run`, ARGS go after `--`); never throws. */
export async function nix(sub: string, installable: string, args: string[] = [], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const cmd = sub === 'run' ? ['run', installable, ...flakeOpts(), '--', ...args] : [sub, installable, ...flakeOpts(), ...args];
  return execa('nix', cmd, { reject: false, all: true, cwd: opts.cwd, env: { ...process.env, ...opts.env } });
}

/** The README's flake snippet (the ```nix block after "# flake.nix of your project"). */
export function readmeFlake(): string {
  const m = /```nix\n(# flake\.nix of your project\n[\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  if (!m) throw new Error('README.md has no ```nix block starting "# flake.nix of your project"');
  return m[1];
}

/** This machine's Nix system, which consumer flakes written for x86_64-linux (as the README's) build for. */
export const SYSTEM = process.arch === 'arm64' ? 'aarch64-linux' : 'x86_64-linux';

/** A consumer flake in a new directory: `flake.nix` as given, with the longshore input pointing at this checkout. */
export function consumerFlake(text: string): string {
  const dir = tmp('longshore-consumer-');
  mkdirSync(dir, { recursive: true });
  const pointed = text.replace(/inputs\.longshore\.url = "[^"]*";/, `inputs.longshore.url = "${REPO}";`).replaceAll('x86_64-linux', SYSTEM);
  if (pointed === text) throw new Error('the consumer flake has no inputs.longshore.url line');
  writeFileSync(join(dir, 'flake.nix'), pointed);
  return dir;
}
