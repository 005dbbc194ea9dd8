import { isMainThread, workerData } from 'node:worker_threads';

export const DIGEST_WORKER_ROLE = 'longshore-digest-worker';

/** True inside a digest worker: the entry then serves digests instead of parsing argv. */
export const isDigestWorker = (): boolean => !isMainThread && (workerData as { role?: string } | null)?.role === DIGEST_WORKER_ROLE;
