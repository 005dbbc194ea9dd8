// What every transport module shares: the command-line options destinations may use, and the
// shape of a transport's parser (src/dest/parse.ts maps names to parsers).
import type { ImageDestination } from '../copy/types.js';

/** Options from the command line that destinations may use; parsed once in the CLI. */
export interface CopyFlags {
  jobs?: number;
  /** false allows plain HTTP / unverified TLS to a registry */
  tlsVerify?: boolean;
  /** "user:pass" */
  creds?: string;
  /** A bearer token to use as is. */
  registryToken?: string;
  /** A file of USERNAME=/PASSWORD= or BEARER_TOKEN= lines. */
  credsFile?: string;
  /** containers-auth.json / docker config.json to read instead of the defaults. */
  authfile?: string;
  /** Extra CA certificate (PEM) to trust. */
  caCert?: string;
  /** Registry destinations: another repository of the same registry to mount layers from. */
  mountFrom?: string;
  /** Registry destinations: an image in the same registry whose compressed layers this push may reuse. */
  cacheFrom?: string;
  /** --tag: more tags the image (or index) gets at the destination, after its first. */
  tags?: string[];
}

/** The tags after the first (--tag), each checked by `check`, without repeats or the first itself. */
export function extraTags(flags: CopyFlags, first: string | undefined, check: (tag: string) => void): string[] {
  const out: string[] = [];
  for (const t of flags.tags ?? []) {
    check(t);
    if (t !== first && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Parses what follows "TRANSPORT:" into a destination; throws a UserError naming the bad part. */
export type TransportParser = (rest: string, flags: CopyFlags) => ImageDestination;
