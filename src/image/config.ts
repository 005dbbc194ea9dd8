// Image config as users write it (OCI keys, nix2container's lowercase spellings) → the OCI config, validated.
import { UserError } from '../util/errors.js';
import { editDistance } from '../util/human.js';

type Kind = 'strings' | 'string' | 'set' | 'labels' | 'bool' | 'int' | 'object' | 'env';

const KEYS: Record<string, Kind> = {
  User: 'string',
  ExposedPorts: 'set',
  Env: 'env',
  Entrypoint: 'strings',
  Cmd: 'strings',
  Volumes: 'set',
  WorkingDir: 'string',
  Labels: 'labels',
  StopSignal: 'string',
  ArgsEscaped: 'bool',
  Memory: 'int',
  MemorySwap: 'int',
  CpuShares: 'int',
  Healthcheck: 'object',
  OnBuild: 'strings',
  Shell: 'strings',
  StopTimeout: 'int',
};

// Names users reach for that are not config keys: say what they meant.
const ALIASES: Record<string, string> = {
  environment: 'Env',
  envs: 'Env',
  environ: 'Env',
  workdir: 'WorkingDir',
  cwd: 'WorkingDir',
  ports: 'ExposedPorts',
  expose: 'ExposedPorts',
  volume: 'Volumes',
  label: 'Labels',
  command: 'Cmd',
  entrypoints: 'Entrypoint',
  cmds: 'Cmd',
  stopsignal: 'StopSignal',
};

const byLower = new Map(Object.keys(KEYS).map((k) => [k.toLowerCase(), k]));

function closest(key: string): string {
  const lower = key.toLowerCase().replace(/[_-]/g, '');
  if (ALIASES[lower]) return ALIASES[lower];
  let best = 'Env';
  let bestD = Infinity;
  for (const k of Object.keys(KEYS)) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

const PORT_RE = /^[0-9]{1,5}(\/(tcp|udp|sctp))?$/;

function bad(key: string, msg: string): never {
  throw new UserError('INVALID_CONFIG', `config.${key}: ${msg}`);
}

function checkValue(key: string, kind: Kind, v: unknown): unknown {
  switch (kind) {
    case 'string':
      if (typeof v !== 'string') bad(key, `expected a string, got ${JSON.stringify(v)}`);
      return v;
    case 'strings':
      if (typeof v === 'string') bad(key, `expected a list of strings, got the string ${JSON.stringify(v)}; write [ ${JSON.stringify(v)} ]`);
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad(key, `expected a list of strings, got ${JSON.stringify(v)}`);
      return v;
    case 'env': {
      if (!Array.isArray(v)) bad(key, `expected a list of "NAME=value" strings, got ${JSON.stringify(v)}`);
      v.forEach((x, i) => {
        if (typeof x !== 'string' || !/^[^=]+=/.test(x)) bad(`${key}[${i}]`, `expected "NAME=value", got ${JSON.stringify(x)}`);
      });
      return v;
    }
    case 'set': {
      // Accept both the OCI shape {"80/tcp": {}} and a list ["80/tcp"].
      const names = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.keys(v) : bad(key, `expected an object like {"80/tcp": {}} or a list, got ${JSON.stringify(v)}`);
      if (!Array.isArray(v) && Object.values(v as object).some((x) => typeof x !== 'object' || x === null || Array.isArray(x) || Object.keys(x).length > 0))
        bad(key, 'values must be empty objects ({}), as in {"80/tcp": {}}');
      const out: Record<string, object> = {};
      for (const n of names) {
        if (typeof n !== 'string') bad(key, `entries must be strings, got ${JSON.stringify(n)}`);
        if (key === 'ExposedPorts') {
          if (!PORT_RE.test(n) || Number(n.split('/')[0]) > 65535) bad(key, `${JSON.stringify(n)} is not a port like "8080/tcp", "53/udp" or "80"`);
        } else if (!n.startsWith('/')) bad(key, `${JSON.stringify(n)} must be an absolute path`);
        out[n] = {};
      }
      return out;
    }
    case 'labels': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(key, `expected an attribute set of strings, got ${JSON.stringify(v)}`);
      for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') bad(`${key}.${k}`, `expected a string, got ${JSON.stringify(x)}`);
      return v;
    }
    case 'bool':
      if (typeof v !== 'boolean') bad(key, `expected true or false, got ${JSON.stringify(v)}`);
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) bad(key, `expected an integer, got ${JSON.stringify(v)}`);
      return v;
    case 'object':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(key, `expected an object, got ${JSON.stringify(v)}`);
      return v;
  }
}

/** Normalises key spelling, validates types, and returns the config with keys in a fixed order. */
export function normaliseConfig(raw: unknown): Record<string, unknown> {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UserError('INVALID_CONFIG', `config: expected an attribute set, got ${JSON.stringify(raw)}`);
  const seen = new Map<string, string>();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const canon = byLower.get(key.toLowerCase());
    if (!canon) throw new UserError('INVALID_CONFIG', `config: unknown key "${key}"; did you mean "${closest(key)}"? Valid keys: ${Object.keys(KEYS).join(', ')}`);
    if (seen.has(canon)) throw new UserError('INVALID_CONFIG', `config: "${key}" and "${seen.get(canon)}" are the same key (${canon}); keep one`);
    seen.set(canon, key);
    if (value === null) continue;
    out[canon] = checkValue(canon, KEYS[canon], value);
  }
  const ordered: Record<string, unknown> = {};
  for (const k of Object.keys(KEYS)) if (k in out) ordered[k] = out[k];
  return ordered;
}
