// Marked by an environment variable rather than checked with node:worker_threads, so that every
// command does not pay for loading that module.
export const DIGEST_WORKER_ENV = 'LONGSHORE_DIGEST_WORKER';

/** True inside a digest worker: the entry then serves digests instead of parsing argv. */
export const isDigestWorker = (): boolean => process.env[DIGEST_WORKER_ENV] === '1';
