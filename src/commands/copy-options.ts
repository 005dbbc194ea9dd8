// The options of `longshore copy`, declared once: yargs builds --help and its parser from this
// table, and the fast path (copy-fast.ts) reads the same table with node:util; both end in
// toCopyArgs, and test/copy-fast.test.ts holds them to one result.
import type { CopyArgs } from './copy.js';
import { UserError } from '../util/errors.js';
import { COMPRESSIONS, type Compression } from '../image/media-types.js';
import { parsePlatform } from '../image/platform.js';

export interface OptionSpec {
  type: 'string' | 'number' | 'boolean';
  /** Repeatable (strings only): every value is kept, in order (yargs' own key for it). */
  array?: boolean;
  /** The values a string option takes (checked in toCopyArgs, so both parsers say the same). */
  values?: readonly string[];
  alias?: string;
  default?: number;
  describe?: string;
  hidden?: boolean;
}

export const COPY_OPTIONS: Record<string, OptionSpec> = {
  jobs: { alias: 'j', type: 'number', default: 4, describe: 'parallel blob transfers' },
  'tls-verify': { type: 'boolean', describe: 'verify TLS (default true; false also allows plain HTTP)' },
  // skopeo's names for the destination's flags, which nix2container's copy passthrus hand on.
  'dest-tls-verify': { type: 'boolean', hidden: true },
  creds: { type: 'string', describe: 'registry credentials USER:PASSWORD' },
  'dest-creds': { type: 'string', hidden: true },
  'registry-token': { type: 'string', describe: 'bearer token for the registry' },
  'dest-registry-token': { type: 'string', hidden: true },
  'creds-file': { type: 'string', describe: 'file with USERNAME=/PASSWORD= or BEARER_TOKEN= lines' },
  authfile: { type: 'string', describe: 'auth.json / config.json to read credentials from' },
  'dest-authfile': { type: 'string', hidden: true },
  'ca-cert': { type: 'string', describe: 'extra CA certificate (PEM) to trust' },
  'mount-from': { type: 'string', describe: 'registry: another repository of the same registry to mount missing layers from' },
  compression: { type: 'string', values: COMPRESSIONS, describe: 'layer compression: gzip, zstd or none (default: gzip for docker://, none elsewhere, or the image\'s own)' },
  'compression-level': { type: 'number', describe: 'gzip 1-9 (default 4), zstd 1-19 (default 3)' },
  'cache-from': { type: 'string', describe: 'registry: an image in the same registry whose compressed layers the push may reuse' },
  tag: { type: 'string', array: true, describe: 'also put the image (or index) under this tag of the destination; repeatable' },
  annotation: { type: 'string', array: true, describe: 'KEY=VALUE annotation for the manifest (of an index: the index); repeatable' },
  platform: { type: 'string', describe: 'OS/ARCH[/VARIANT]: of an image index, copy only the image for this platform (default for daemons and docker-archive: theirs)' },
  json: { type: 'boolean', describe: 'print the summary as JSON on stdout' },
  quiet: { alias: 'q', type: 'boolean', describe: 'print nothing but errors' },
};

type Parsed = Record<string, unknown>;

const compressionArg = (v: string | undefined): Compression | undefined => v as Compression | undefined;

/** --annotation KEY=VALUE, repeated: a later KEY wins. */
export function annotationsArg(list: readonly string[] | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UserError('USAGE', `--annotation takes KEY=VALUE, got ${JSON.stringify(kv)}`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/**
 * The parsed values as CopyArgs, checked: yargs lets through what the table does not mean (a
 * repeated option as an array, `--no-creds` as false, `--jobs abc` as NaN).
 */
export function toCopyArgs(image: string, destination: string, a: Parsed): CopyArgs {
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    const v = a[name];
    if (v === undefined) continue;
    if (spec.array) {
      if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === ''))
        throw new UserError('USAGE', `--${name} takes a value each time it is given, got ${Array.isArray(v) ? (v.length ? v.map((x) => JSON.stringify(x)).join(', ') : 'none') : JSON.stringify(v)}`);
      continue;
    }
    if (spec.values && typeof v === 'string' && !spec.values.includes(v)) throw new UserError('USAGE', `--${name} takes ${spec.values.join(', ')}, got ${JSON.stringify(v)}`);
    if (spec.type === 'number' ? !Number.isSafeInteger(v) || (v as number) < 1 : typeof v !== spec.type) {
      throw new UserError('USAGE', `--${name} takes ${spec.type === 'number' ? 'a whole number of at least 1' : spec.type === 'boolean' ? 'no value but true or false' : 'one value'}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
    }
  }
  const s = (k: string) => a[k] as string | undefined;
  const list = (k: string) => a[k] as string[] | undefined;
  const platform = s('platform');
  return {
    image,
    destination,
    jobs: a.jobs as number | undefined,
    tlsVerify: (a['tls-verify'] ?? a['dest-tls-verify']) as boolean | undefined,
    creds: s('creds') ?? s('dest-creds'),
    registryToken: s('registry-token') ?? s('dest-registry-token'),
    credsFile: s('creds-file'),
    authfile: s('authfile') ?? s('dest-authfile'),
    caCert: s('ca-cert'),
    mountFrom: s('mount-from'),
    compression: compressionArg(s('compression')),
    compressionLevel: a['compression-level'] as number | undefined,
    cacheFrom: s('cache-from'),
    tags: list('tag'),
    annotations: annotationsArg(list('annotation')),
    platform: platform === undefined ? undefined : parsePlatform(platform),
    json: a.json as boolean | undefined,
    quiet: a.quiet as boolean | undefined,
  };
}
