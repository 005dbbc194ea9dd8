// Real nix-builds of the examples (and of ad-hoc expressions) with the host-tools package set.
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/longshore.mjs');
/** bin/longshore: what npm installs and what users run; it starts node on CLI. */
export const LAUNCHER = join(ROOT, 'bin/longshore');
const LIB = join(ROOT, 'test/nix/lib.nix');

export const NIX_OPTS = ['--option', 'substituters', '', '--option', 'sandbox', 'false'];

/** A fresh temporary directory; lowercase, because podman names images after oci: paths. */
export function tmp(prefix = 'longshore-test-'): string {
  const dir = join(tmpdir(), prefix + randomBytes(6).toString('hex'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * nix-build of a Nix expression in which `pkgs` (the host-tools set), `longshore` (the library) and
 * `example` (examples/<name>.nix) are in scope, with `env` added to nix-build's environment (it
 * reaches fixed-output derivations through impureEnvVars: there is no Nix daemon here). Never
 * throws: the exit code, the last output path, and nix's log. `node` is the node binary the
 * library's CLI runs on (default: the one running the tests).
 */
export async function nixBuildResult(
  expr: string,
  env: Record<string, string> = {},
  opts: { attr?: string; extraArgs?: string[]; node?: string } = {},
): Promise<{ exitCode: number; out: string; all: string }> {
  const dir = tmp('longshore-nix-');
  const file = join(dir, 'expr.nix');
  writeFileSync(
    file,
    `let l = import ${LIB} { node = "${opts.node ?? process.execPath}"; dist = ${ROOT}/dist; };
         pkgs = l.pkgs; longshore = l.longshore;
         example = n: import (${ROOT}/examples + "/\${n}.nix") { inherit pkgs longshore; };
     in ${expr}\n`,
  );
  const args = [file, '--no-out-link', ...NIX_OPTS, ...(opts.attr ? ['-A', opts.attr] : []), ...(opts.extraArgs ?? [])];
  const r = await execa('nix-build', args, { reject: false, all: true, env: { ...process.env, ...env } });
  const lines = r.stdout.trim().split('\n');
  return { exitCode: r.exitCode ?? -1, out: lines[lines.length - 1], all: r.all ?? '' };
}

/** nixBuildResult that must succeed: the output path; throws with nix's log on failure. */
export async function nixBuild(expr: string, opts: { attr?: string; extraArgs?: string[]; node?: string } = {}): Promise<string> {
  return (await nixBuildLog(expr, opts)).out;
}

/** nixBuild, also returning what the builds printed: warnings, for instance. */
export async function nixBuildLog(expr: string, opts: { attr?: string; extraArgs?: string[]; node?: string } = {}): Promise<{ out: string; log: string }> {
  const r = await nixBuildResult(expr, {}, opts);
  if (r.exitCode !== 0) throw new Error(`nix-build failed (exit ${r.exitCode}):\n${r.all}`);
  return { out: r.out, log: r.all };
}

/** Builds examples/<name>.nix. */
export function buildExample(name: string, attr?: string): Promise<string> {
  return nixBuild(`example "${name}"`, { attr });
}

/** Runs the CLI through its launcher; never throws, returns exit code and output. */
export async function longshore(args: string[], env: Record<string, string> = {}, opts: { timeout?: number } = {}) {
  return execa(LAUNCHER, args, { reject: false, env: { ...process.env, ...env }, all: true, ...opts });
}
