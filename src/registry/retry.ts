// Exponential backoff with jitter for transient registry failures; honours Retry-After.
import { TransientError } from './errors.js';

export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTCONN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** True for socket-level failures (reset, broken pipe, closed by peer). */
export function isNetworkError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: string }).code;
    if (code && NETWORK_CODES.has(code)) return true;
    if (cur instanceof Error && /other side closed|socket hang up|terminated/i.test(cur.message)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Called before sleeping, e.g. to show "retrying" in the progress. */
  onRetry?: (attempt: number, err: Error, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseMs: 250, maxMs: 15_000 };

export function backoffMs(attempt: number, o: RetryOptions, retryAfterMs?: number): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  // Retry-After is a floor (the server asked for it), capped so a bad header can't stall us forever.
  return retryAfterMs !== undefined ? Math.min(Math.max(retryAfterMs, jittered), 120_000) : jittered;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` again on TransientError or a network error. `fn` must rebuild everything it sends
 * (a consumed stream is never replayed: callers reopen the layer from the store).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const transient = e instanceof TransientError || isNetworkError(e);
      if (!transient || attempt >= o.attempts) throw e;
      const delay = backoffMs(attempt, o, e instanceof TransientError ? e.retryAfterMs : undefined);
      o.onRetry?.(attempt, e as Error, delay);
      await sleep(delay);
    }
  }
}
