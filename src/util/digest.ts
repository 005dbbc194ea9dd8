import { createHash } from 'node:crypto';

export const sha256 = (data: Buffer | string): string =>
  'sha256:' + createHash('sha256').update(data).digest('hex');

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
export const isDigest = (s: unknown): s is string => typeof s === 'string' && DIGEST_RE.test(s);
export const digestHex = (d: string): string => d.slice('sha256:'.length);
