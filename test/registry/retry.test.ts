// Retry rules for transient registry failures (docs/registry.md, "Failures and retries"). Sleeps
// are kept to a few milliseconds by passing small RetryOptions.
import { afterEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY, QUICK_RETRY, RETRYABLE_STATUS, backoffMs, parseRetryAfter, retryKind, withRetry, type RetryOptions } from '../../src/registry/retry.js';
import { networkError } from '../../src/registry/network.js';
import { RegistryError, TransientError } from '../../src/registry/errors.js';
import { UserError } from '../../src/util/errors.js';

afterEach(() => mock.restoreAll());

const fast = (extra: Partial<RetryOptions> = {}): RetryOptions => ({ attempts: 4, baseMs: 1, maxMs: 2, ...extra });
const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

test('retryable statuses: 408, 429, 500, 502, 503, 504 and no others', () => {
  const retried = [];
  for (let s = 100; s < 600; s++) if (RETRYABLE_STATUS.has(s)) retried.push(s);
  assert.deepEqual(retried, [408, 429, 500, 502, 503, 504]);
});

test('the defaults: 5 attempts, 250 ms doubling, capped at 15 s', () => {
  assert.deepEqual({ ...DEFAULT_RETRY }, { attempts: 5, baseMs: 250, maxMs: 15_000 });
});

describe('retryKind', () => {
  const net = (code: string) => networkError(errno(code), 'pushing', 'h:1')!;
  test('overloaded servers back off: registry 5xx/429 answers, resets, timeouts', () => {
    assert.equal(retryKind(new TransientError('503')), 'backoff');
    for (const code of ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT']) assert.equal(retryKind(net(code)), 'backoff', code);
  });
  test('a refused connection or a temporary DNS failure: a few quick tries', () => {
    assert.equal(retryKind(net('ECONNREFUSED')), 'quick');
    assert.equal(retryKind(net('EAI_AGAIN')), 'quick');
    assert.deepEqual({ ...QUICK_RETRY }, { attempts: 3, baseMs: 100, maxMs: 400 });
  });
  test('a name that does not resolve, TLS failures and everything else: never', () => {
    assert.equal(retryKind(net('ENOTFOUND')), 'never');
    assert.equal(retryKind(net('DEPTH_ZERO_SELF_SIGNED_CERT')), 'never');
    assert.equal(retryKind(new UserError('USAGE', 'bad flag')), 'never');
    assert.equal(retryKind(errno('ECONNRESET')), 'never', 'an unclassified error is not retried: the client classifies at the socket');
    assert.equal(retryKind(new Error('bug')), 'never');
  });
});

describe('parseRetryAfter', () => {
  test('delta-seconds, trimmed; the first of several headers', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(parseRetryAfter(['2', '9']), 2000);
  });

  test('an HTTP date: the time left until then, never negative', () => {
    mock.method(Date, 'now', () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'));
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT'), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT'), 0);
  });

  test('absent or unparseable: undefined', () => {
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter(''), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('backoffMs', () => {
  test('exponential from baseMs, jittered between half and all of it, capped at maxMs', () => {
    const o: RetryOptions = { attempts: 10, baseMs: 100, maxMs: 1000 };
    mock.method(Math, 'random', () => 0);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, o)), [50, 100, 200, 400, 500, 500]);
    mock.method(Math, 'random', () => 0.999999);
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => Math.round(backoffMs(a, o))), [100, 200, 400, 800, 1000]);
  });

  test('Retry-After is a floor above the backoff, and is itself capped at 120 s', () => {
    mock.method(Math, 'random', () => 0);
    const o: RetryOptions = { attempts: 5, baseMs: 100, maxMs: 1000 };
    assert.equal(backoffMs(1, o, 7_000), 7_000);
    // A Retry-After below the backoff does not shorten it.
    assert.equal(backoffMs(3, o, 10), 200);
    assert.equal(backoffMs(1, o, 0), 50);
    // A bad header cannot stall a push for an hour.
    assert.equal(backoffMs(1, o, 3_600_000), 120_000);
  });
});

describe('withRetry', () => {
  test('a TransientError is retried until it succeeds; fn sees the attempt number', async () => {
    const seen: number[] = [];
    const r = await withRetry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new TransientError('503');
      return 'ok';
    }, fast());
    assert.equal(r, 'ok');
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test('network errors are retried like TransientErrors', async () => {
    let n = 0;
    assert.equal(await withRetry(async () => (++n === 1 ? Promise.reject(networkError(errno('ECONNRESET'), 'x', 'h')) : n), fast()), 2);
  });

  test('after `attempts` tries the last error is thrown, saying how many attempts were made, with its code', async () => {
    let n = 0;
    await assert.rejects(
      withRetry(async () => {
        n++;
        throw new TransientError(n === 3 ? 'still 503' : `503 #${n}`);
      }, fast({ attempts: 3 })),
      (e: UserError) => e.message === 'still 503 after 3 attempts' && e.code === 'REGISTRY_UNAVAILABLE',
    );
    assert.equal(n, 3);
  });

  test('a refused connection gets at most three quick attempts, within a second, even with more allowed', async () => {
    let n = 0;
    const started = performance.now();
    await assert.rejects(
      withRetry(async () => {
        n++;
        throw networkError(errno('ECONNREFUSED'), 'connecting to the registry at h:1', 'h:1');
      }, DEFAULT_RETRY),
      (e: UserError) => e.code === 'CONNECTION_REFUSED' && e.message === 'connecting to the registry at h:1: connection refused after 3 attempts',
    );
    assert.equal(n, 3);
    assert.ok(performance.now() - started < 1000);
  });

  test('attempts: 1 means no retry', async () => {
    let n = 0;
    await assert.rejects(withRetry(async () => Promise.reject(new TransientError(`x${++n}`)), fast({ attempts: 1 })), /x1/);
    assert.equal(n, 1);
  });

  test('a non-transient error is thrown at once: registry 4xx, user errors, plain errors', async () => {
    for (const err of [new RegistryError('pushing manifest', 400, [{ code: 'MANIFEST_INVALID' }]), new UserError('USAGE', 'bad flag'), new Error('bug'), errno('ENOENT')]) {
      let n = 0;
      const onRetry = mock.fn();
      await assert.rejects(
        withRetry(async () => {
          n++;
          throw err;
        }, fast({ onRetry })),
        (e) => e === err,
      );
      assert.equal(n, 1, err.message);
      assert.equal(onRetry.mock.callCount(), 0);
    }
  });

  test('onRetry is told the attempt, the error and the delay before each sleep', async () => {
    mock.method(Math, 'random', () => 0);
    const calls: [number, string, number][] = [];
    let n = 0;
    await withRetry(
      async () => {
        if (++n < 4) throw new TransientError(`fail ${n}`);
      },
      { attempts: 5, baseMs: 2, maxMs: 4, onRetry: (a, e, d) => calls.push([a, e.message, d]) },
    );
    assert.deepEqual(calls, [
      [1, 'fail 1', 1],
      [2, 'fail 2', 2],
      [3, 'fail 3', 2],
    ]);
  });

  test("the server's Retry-After is waited for, even above maxMs", async () => {
    const delays: number[] = [];
    let n = 0;
    const started = performance.now();
    await withRetry(
      async () => {
        if (++n === 1) throw new TransientError('429', 40);
      },
      fast({ onRetry: (_a, _e, d) => delays.push(d) }),
    );
    assert.deepEqual(delays, [40]);
    assert.ok(performance.now() - started >= 35, 'slept for the Retry-After');
  });
});

test('parseRetryAfter: a number that is not whole seconds is no date either', () => {
  assert.equal(parseRetryAfter('1.5'), undefined);
  assert.equal(parseRetryAfter('-3'), undefined);
});
