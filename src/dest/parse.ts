// containers/image transport names are the user-facing grammar: docker://, docker-daemon:, oci:, …
import { UserError } from '../util/errors.js';
import { checkOciLayoutTag } from '../reference/reference.js';
import type { CopyFlags } from './flags.js';
import type { Destination } from './types.js';
import { OciDirDestination } from './oci-dir.js';

type Parser = (rest: string, flags: CopyFlags) => Destination;

/** Splits "PATH[:TAG]" at the last ':' (TAG cannot contain one); a trailing ':' gives an empty TAG. */
export function splitPathTag(rest: string): { path: string; tag?: string } {
  const i = rest.lastIndexOf(':');
  if (i <= 0) return { path: rest };
  return { path: rest.slice(0, i), tag: rest.slice(i + 1) };
}

const transports: Record<string, Parser> = {
  oci: (rest) => {
    const { path, tag } = splitPathTag(rest);
    if (!path) throw new UserError('oci: needs a directory, as in oci:DIR[:TAG]');
    if (tag !== undefined) checkOciLayoutTag(tag, `oci:${rest}`);
    return new OciDirDestination(path, tag);
  },
};

// Destination modules load on first use: the registry and daemon clients would slow every start.
const lazy: Record<string, () => Promise<unknown>> = {};

/** Lets a destination module add its transport (registry, daemons, archives). */
export function registerTransport(name: string, parser: Parser): void {
  transports[name] = parser;
}

/** Names a transport whose module registers it once imported. */
export function registerLazyTransport(name: string, load: () => Promise<unknown>): void {
  lazy[name] = load;
}

export async function parseDestination(ref: string, flags: CopyFlags): Promise<Destination> {
  const m = /^([a-z-]+):(\/\/)?(.*)$/.exec(ref);
  const name = m?.[2] ? `${m[1]}://` : m?.[1];
  for (const n of name ? [name, m![1]] : []) if (!transports[n] && lazy[n]) await lazy[n]();
  const parser = name ? transports[name] ?? transports[m![1]] : undefined;
  if (!m || !parser) {
    const known = [...new Set([...Object.keys(transports), ...Object.keys(lazy)])].map((t) => (t.endsWith('://') ? t : t + ':')).sort().join(', ');
    throw new UserError(`unknown destination ${JSON.stringify(ref)}: expected one of ${known}`);
  }
  return parser(m[3], flags);
}
