// When a failed registry request is tried again: exponential backoff with jitter for overloaded
// servers (5xx, 429, resets, timeouts), honouring Retry-After; a few quick tries within a second
// for a refused connection or a failed lookup; never for anything else. Exhausted retries end in a
// user error that says how many attempts were made and what the last one met.
import { UserError } from '../util/errors.js';
import { TransientError } from './errors.js';
import { NetworkError, type NetworkCode, type RetryKind } from './network.js';

export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  // Anything else must be an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"), not a number Date.parse would guess at.
  if (!/[a-z]/i.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Called before sleeping, e.g. to show "retrying" in the progress. */
  onRetry?: (attempt: number, err: Error, delayMs: number) => void;
}

/** For overloaded servers: 250 ms doubling, capped at 15 s; five attempts (crane, skopeo do alike). */
export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseMs: 250, maxMs: 15_000 };
/** For a refused connection or a failed lookup: three attempts within a second. */
export const QUICK_RETRY: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs'> = { attempts: 3, baseMs: 100, maxMs: 400 };

/** How `e` is retried. */
export function retryKind(e: unknown): RetryKind {
  if (e instanceof NetworkError) return e.retry;
  if (e instanceof TransientError) return 'backoff';
  return 'never';
}

/** The delay before attempt `attempt + 1`, in ms: exponential with jitter; Retry-After as a floor, capped at 2 minutes. */
export function backoffMs(attempt: number, o: Pick<RetryOptions, 'baseMs' | 'maxMs'>, retryAfterMs?: number): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return retryAfterMs !== undefined ? Math.min(Math.max(retryAfterMs, jittered), 120_000) : jittered;
}

/** The last failure, saying how many attempts were made. */
function exhausted(e: unknown, attempts: number): unknown {
  if (attempts < 2 || !(e instanceof UserError)) return e;
  const message = `${e.message} after ${attempts} attempts`;
  if (e instanceof NetworkError) return new NetworkError(e.code as NetworkCode, message, 'never', e.hint, e.cause);
  return new UserError(e.code, message, e.hint);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` again while it fails in a way worth retrying (retryKind). `fn` must rebuild everything
 * it sends: a consumed stream is never replayed; callers reopen the layer from the store.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const kind = retryKind(e);
      if (kind === 'never') throw attempt > 1 ? exhausted(e, attempt) : e;
      const schedule = kind === 'quick' ? { ...o, ...QUICK_RETRY, attempts: Math.min(o.attempts, QUICK_RETRY.attempts) } : o;
      if (attempt >= schedule.attempts) throw exhausted(e, attempt);
      const delay = backoffMs(attempt, schedule, e instanceof TransientError ? e.retryAfterMs : undefined);
      o.onRetry?.(attempt, e as Error, delay);
      await sleep(delay);
    }
  }
}
