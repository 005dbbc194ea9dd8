// What a daemon's loader can skip: ChainIDs for Docker's stack-prefix rule, DiffIDs anywhere for
// Podman, and the order in which a daemon's images are inspected. (Moved here from
// test/e2e/daemon-docker.test.ts, with ChainID cases added.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainIDs, layersToSkip, skippable } from '../../src/daemon/layers.js';

const [a, b, c, x] = ['a', 'b', 'c', 'x'].map((n) => `sha256:${n.repeat(64)}`);

test('ChainIDs follow the OCI image spec', () => {
  const hash = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');
  const ab = hash(`${a} ${b}`);
  assert.deepEqual(chainIDs([a, b, c]), [a, ab, hash(`${ab} ${c}`)]);
  assert.deepEqual(chainIDs([]), []);
  // The same DiffID over another parent is another ChainID.
  assert.notEqual(chainIDs([x, b])[1], ab);
});

describe('what a loader can skip', () => {
  test('Docker skips the bottom run held as a stack; Podman any layer it has', () => {
    assert.deepEqual([...skippable([a, b, c], [[a, x, c]], 'stack-prefix')], [a]);
    assert.deepEqual([...skippable([a, b, c], [[a, x, c]], 'anywhere')], [a, c]);
    assert.deepEqual([...skippable([a, b, c], [[x], [a, b]], 'stack-prefix')], [a, b]);
    // ChainIDs, not DiffIDs: b on top of x is not b on top of a.
    assert.deepEqual([...skippable([a, b], [[x, b]], 'stack-prefix')], []);
    // Prefixes of one longer stack count: an image built on ours holds ours.
    assert.deepEqual([...skippable([a, b], [[a, b, c, x]], 'stack-prefix')], [a, b]);
    assert.deepEqual([...skippable([a, b, c], [], 'anywhere')], []);
  });

  test('images named like ours are inspected first, and the search stops at our top layer', async () => {
    const inspected: string[] = [];
    const stacks: Record<string, string[]> = { other1: [x], other2: [x, b], app1: [a, b, c], app2: [a, b], solo: [c] };
    const stacksOf = async (ids: string[]) => {
      inspected.push(...ids);
      return ids.map((id) => stacks[id]);
    };
    const images = [
      { id: 'other1', tags: ['other:1'] },
      { id: 'other2', tags: [] },
      { id: 'app2', tags: ['localhost/app:2'] },
      { id: 'app1', tags: ['app:1', 'x:y'] },
    ];
    // The tag being replaced (app:1) comes first and leaves only the top layer: one batch of one.
    assert.deepEqual([...(await layersToSkip([a, b, x], 'stack-prefix', { name: 'app', ref: 'app:1' }, images, stacksOf, 1))], [a, b]);
    assert.deepEqual(inspected, ['app1']);
    // Nothing covers enough: every image is inspected, the best found is kept.
    inspected.length = 0;
    assert.deepEqual([...(await layersToSkip([a, x, x], 'stack-prefix', { name: 'app', ref: 'app:3' }, images, stacksOf, 2))], [a]);
    assert.deepEqual(inspected.slice(0, 2).sort(), ['app1', 'app2']);
    assert.equal(inspected.length, 4);
    // Podman's rule adds up layers across images.
    inspected.length = 0;
    assert.deepEqual([...(await layersToSkip([x, c, b], 'anywhere', { name: 'zzz', ref: 'zzz:1' }, [...images, { id: 'solo', tags: [] }], stacksOf, 8))].sort(), [b, c, x].sort());
  });

  test('Podman\'s "localhost/name:tag" counts as our name; a repository merely ending in our name does not', async () => {
    const inspected: string[] = [];
    const stacksOf = async (ids: string[]) => {
      inspected.push(...ids);
      return ids.map(() => [x]);
    };
    const images = [
      { id: 'myapp', tags: ['myapp:1'] },
      { id: 'podman', tags: ['localhost/app:7'] },
      { id: 'exact', tags: ['app:1'] },
    ];
    await layersToSkip([a, b], 'stack-prefix', { name: 'app', ref: 'app:1' }, images, stacksOf, 1);
    assert.deepEqual(inspected, ['exact', 'podman', 'myapp']);
  });

  test('a daemon holding nothing of ours: every image is inspected, in batches, and nothing is skipped', async () => {
    const batches: string[][] = [];
    const images = Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, tags: [] }));
    const skip = await layersToSkip([a, b], 'stack-prefix', { name: 'app', ref: 'app:1' }, images, async (ids) => (batches.push(ids), ids.map(() => [x])));
    assert.equal(skip.size, 0);
    assert.deepEqual(batches.map((ids) => ids.length), [8, 8, 4]);
    assert.deepEqual(await layersToSkip([a], 'anywhere', { name: 'app', ref: 'app:1' }, [], async () => assert.fail('nothing to inspect')), new Set());
  });

  test('a one-layer image stops as soon as that layer is found', async () => {
    let calls = 0;
    const images = Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, tags: [] }));
    const skip = await layersToSkip([a], 'anywhere', { name: 'app', ref: 'app:1' }, images, async (ids) => (calls++, ids.map(() => [a])), 4);
    assert.deepEqual([...skip], [a]);
    assert.equal(calls, 1);
  });

  test('a rule that costs a request (Docker\'s image store) is asked for only when some image is held, and awaited only when it matters', async () => {
    let asked = 0;
    const rule = async (): Promise<'anywhere'> => (asked++, 'anywhere');
    assert.deepEqual(await layersToSkip([a], rule, { name: 'app', ref: 'app:1' }, [], async () => assert.fail('nothing to inspect')), new Set());
    assert.equal(asked, 0);
    // Asked beside the first batch; its answer decides: a and c are held, though not as a stack.
    const images = Array.from({ length: 3 }, (_, i) => ({ id: `i${i}`, tags: [] }));
    const skip = await layersToSkip([a, b, c], rule, { name: 'app', ref: 'app:1' }, images, async (ids) => ids.map(() => [a, x, c]), 1);
    assert.deepEqual([...skip].sort(), [a, c].sort());
    assert.equal(asked, 1);
    // Where both rules find the same (an earlier build holds our stack below the top), the answer
    // is not waited for.
    const never = () => new Promise<'anywhere'>(() => {});
    assert.deepEqual([...(await layersToSkip([a, b, c], never, { name: 'app', ref: 'app:1' }, images, async (ids) => ids.map(() => [a, b, x])))], [a, b]);
    // A rule that fails to come is not waited for either, when it does not matter.
    const failing = () => Promise.reject(new Error('no /info'));
    assert.deepEqual([...(await layersToSkip([a, b, c], failing, { name: 'app', ref: 'app:1' }, images, async (ids) => ids.map(() => [a, b, x])))], [a, b]);
  });
});
