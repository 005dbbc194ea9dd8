// What the push and link benches share: a fresh HOME per push (no credentials, no cache), timing a
// process from start to exit, and skopeo's blob-info cache removed before each of its pushes.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { LAUNCHER, tmp } from '../test/helpers/nix.js';

/** skopeo's blob-info cache (root's, and the user's): it would let a "cold" push skip compression. */
const BLOB_INFO_CACHES = ['/var/lib/containers/cache', join(process.env.HOME ?? '/root', '.local/share/containers/cache')];

export function clearSkopeoCache(): void {
  for (const d of BLOB_INFO_CACHES) rmSync(d, { recursive: true, force: true });
}

/** A fresh HOME and everything derived from it: a fresh machine, as far as either tool can tell. */
export function freshEnv(): Record<string, string> {
  const home = tmp('longshore-bench-home-');
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_RUNTIME_DIR: join(home, 'run'), DOCKER_CONFIG: join(home, '.docker') };
}

/**
 * Runs cmd from start to exit. With `cpu`, under /usr/bin/time, for its CPU seconds (user + sys,
 * children included): on a shared machine they vary far less than wall time with the load.
 */
export async function timed(cmd: string, args: string[], env: Record<string, string> = {}, o: { cpu?: boolean } = {}): Promise<{ s: number; cpu?: number; stdout: string; stderr: string }> {
  const cpuFile = o.cpu ? join(tmp('longshore-bench-time-'), 'time') : undefined;
  const [c, a] = cpuFile ? ['/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = await execa(c, a, { env: { ...process.env, ...env } });
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuFile ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number).reduce((x, y) => x + y, 0) : undefined;
  return { s, cpu, stdout: r.stdout, stderr: r.stderr };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface CopyJson {
  bytesSent: number;
  seconds: number;
  compression?: string;
  layers: { digest: string; size: number; diffID: string; mediaType: string; action: string; bytesSent: number; compressed?: boolean }[];
}

/** `longshore copy IMAGE docker://REF --json …` from a fresh HOME, timed from process start to exit. */
export async function lsPush(image: string, ref: string, extra: string[] = [], o: { cpu?: boolean } = {}): Promise<{ s: number; cpu?: number; json: CopyJson; stderr: string }> {
  const r = await timed(LAUNCHER, ['copy', image, `docker://${ref}`, '--json', ...extra], freshEnv(), o);
  return { s: r.s, cpu: r.cpu, json: JSON.parse(r.stdout) as CopyJson, stderr: r.stderr };
}

/** `skopeo copy oci:LAYOUT docker://REF` (its default for docker://: gzip), cache cleared, fresh HOME. */
export async function skopeoPush(layoutRef: string, ref: string, o: { cpu?: boolean } = {}): Promise<{ s: number; cpu?: number }> {
  clearSkopeoCache();
  const r = await timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layoutRef}`, `docker://${ref}`], freshEnv(), o);
  return { s: r.s, cpu: r.cpu };
}

/** Bytes under the registry's storage root. */
export async function storedBytes(dir: string): Promise<number> {
  const du = await execa('du', ['-sb', join(dir, 'data')]);
  return Number(du.stdout.split('\t')[0]);
}

export async function uptime(): Promise<string> {
  return (await execa('uptime')).stdout.trim().replace(/^.*load/, 'load');
}

export function printTable(rows: [string, string][]): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}
