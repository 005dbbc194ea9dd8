// What the push and link benches share: a fresh HOME per push (no credentials, no cache), timing a
// process from start to exit, and skopeo's blob-info cache removed before each of its pushes.
import { rmSync } from 'node:fs';
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

export async function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ s: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const r = await execa(cmd, args, { env: { ...process.env, ...env } });
  return { s: (performance.now() - t0) / 1000, stdout: r.stdout, stderr: r.stderr };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface CopyJson {
  bytesSent: number;
  seconds: number;
  compression?: string;
  layers: { digest: string; size: number; diffID: string; mediaType: string; action: string; bytesSent: number; compressed?: boolean }[];
}

/** `longshore copy IMAGE docker://REF --json …` from a fresh HOME, timed from process start to exit. */
export async function lsPush(image: string, ref: string, extra: string[] = []): Promise<{ s: number; json: CopyJson; stderr: string }> {
  const r = await timed(LAUNCHER, ['copy', image, `docker://${ref}`, '--json', ...extra], freshEnv());
  return { s: r.s, json: JSON.parse(r.stdout) as CopyJson, stderr: r.stderr };
}

/** `skopeo copy oci:LAYOUT docker://REF` (its default for docker://: gzip), cache cleared, fresh HOME. */
export async function skopeoPush(layoutRef: string, ref: string): Promise<{ s: number }> {
  clearSkopeoCache();
  const r = await timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layoutRef}`, `docker://${ref}`], freshEnv());
  return { s: r.s };
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
