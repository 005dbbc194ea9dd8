// fromImage: the base image's config merged under the user's, as `FROM` does in a Dockerfile.
import { normaliseConfig } from './config.js';
import { UserError } from '../util/errors.js';

type Obj = Record<string, unknown>;

/** The OCI config keys kept from a base (Docker's extra container keys — Hostname, Image, … — are dropped). */
const INHERITED = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped', 'Memory', 'MemorySwap', 'CpuShares', 'Healthcheck', 'Shell', 'StopTimeout'];
const MAPS = new Set(['ExposedPorts', 'Volumes', 'Labels']);

const envName = (e: string) => e.slice(0, e.indexOf('=') >= 0 ? e.indexOf('=') : e.length);

/** Env merged by variable name: base order kept, the user's value replaces the base's in place, new names appended. */
export function mergeEnv(base: string[], user: string[]): string[] {
  const userByName = new Map(user.map((e) => [envName(e), e]));
  const out = base.map((e) => userByName.get(envName(e)) ?? e);
  const have = new Set(base.map(envName));
  for (const e of user) if (!have.has(envName(e))) out.push(e);
  // A name the user gave twice: the last one wins, as in Docker.
  const seen = new Map<string, number>();
  out.forEach((e, i) => seen.set(envName(e), i));
  return out.filter((e, i) => seen.get(envName(e)) === i);
}

/**
 * `user` is already normalised. Rules: Env by name; ExposedPorts, Volumes, Labels by key; every
 * other key the user's if set, else the base's. As in Docker, setting Entrypoint without Cmd drops
 * the base's Cmd (a base `Cmd ["sh"]` must not become arguments of a new entrypoint). OnBuild is
 * not inherited.
 */
export function mergeBaseConfig(baseRaw: Obj, user: Obj): Obj {
  const merged: Obj = {};
  for (const k of INHERITED) {
    const b = baseRaw[k];
    if (b === null || b === undefined) continue;
    if (MAPS.has(k) && (typeof b !== 'object' || Array.isArray(b))) continue;
    merged[k] = b;
  }
  if (user.Entrypoint !== undefined && user.Cmd === undefined) delete merged.Cmd;
  for (const [k, v] of Object.entries(user)) {
    if (k === 'Env' && Array.isArray(merged.Env)) merged.Env = mergeEnv(merged.Env as string[], v as string[]);
    else if (MAPS.has(k) && merged[k]) merged[k] = { ...(merged[k] as Obj), ...(v as Obj) };
    else merged[k] = v;
  }
  try {
    return normaliseConfig(merged);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.code, `${e.message} (in the config merged with the base image's)`, e.hint);
    throw e;
  }
}
