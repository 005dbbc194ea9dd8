// Bounded parallelism: order kept, at most `jobs` at once, the first failure stops new work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLimited } from '../../src/util/limit.js';

const tick = () => new Promise((r) => setImmediate(r));

test('results keep the input order whatever order the work finishes in', async () => {
  const delays = [5, 1, 4, 0, 3];
  const out = await runLimited(delays, 3, async (d, i) => {
    for (let k = 0; k < d; k++) await tick();
    return `${i}:${d}`;
  });
  assert.deepEqual(out, ['0:5', '1:1', '2:4', '3:0', '4:3']);
});

test('never more than `jobs` at once, and exactly `jobs` when there is enough work', async () => {
  for (const jobs of [1, 2, 4]) {
    let running = 0;
    let peak = 0;
    await runLimited(Array.from({ length: 10 }, (_, i) => i), jobs, async () => {
      peak = Math.max(peak, ++running);
      await tick();
      await tick();
      running--;
    });
    assert.equal(peak, jobs, `jobs ${jobs}`);
  }
});

test('jobs below 1 still makes progress; no items gives no results', async () => {
  assert.deepEqual(await runLimited([1, 2], 0, async (x) => x * 2), [2, 4]);
  assert.deepEqual(await runLimited([], 4, async () => assert.fail('not called')), []);
});

test('the first failure is thrown once the running work settles, and no new item starts after it', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  const first = new Error('item 1 failed');
  await assert.rejects(
    runLimited([0, 1, 2, 3, 4, 5], 2, async (x) => {
      started.push(x);
      await tick();
      if (x === 1) throw first;
      if (x === 2) throw new Error('a later failure');
      await tick();
      finished.push(x);
    }),
    (e) => e === first,
  );
  // 0 and 1 ran together; 1 failed; 0 finished; nothing after 1 began except what had started.
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(finished, [0]);
});
