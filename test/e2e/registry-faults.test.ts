// Faults injected by a proxy in front of the real registry: each push completes, or fails leaving
// the previous tag untouched; running again resumes by skipping what arrived.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { nixBuild } from '../helpers/nix.js';
import { push, skopeoDigest, startRegistry, variantExpr, type Registry } from '../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

let reg: Registry;
let proxy: FaultProxy;
const images: string[] = [];
before(async () => {
  reg = await startRegistry();
  proxy = await startFaultProxy(reg.port);
  images.push(...(await Promise.all(['f0', 'f1', 'f2', 'f3', 'f4', 'f5'].map((c) => nixBuild(variantExpr(c))))));
});
after(async () => {
  await proxy?.stop();
  await reg?.stop();
});

/** A request carrying blob bytes: a monolithic PUT, or a PATCH of a chunked upload (layers compressed on the way). */
const isBlobPut = (q: { method: string; url: string }) => (q.method === 'PUT' || q.method === 'PATCH') && q.url.includes('/blobs/uploads/');

/** Injects `fault` into the first `times` requests matching `match`. */
function once(match: (q: { method: string; url: string }) => boolean, fault: Parameters<FaultProxy['setRule']>[0] extends (q: never) => infer F ? F : never, times = 1) {
  let left = times;
  proxy.setRule((q) => (match(q) && left-- > 0 ? fault : undefined));
}

async function pushFresh(i: number, tag: string) {
  // A new repository per case: nothing of the image is there yet.
  const ref = `${proxy.host}/faults/${tag}:t`;
  return { ref, direct: `${reg.host}/faults/${tag}:t`, r: await push(images[i], ref, ['--jobs', '2']) };
}

test('a connection reset mid-blob restarts that blob from the store', async () => {
  // Every blob upload is armed until one reset has really happened mid-body (small blobs pass).
  proxy.setRule((q) => (isBlobPut(q) && !proxy.seen.some((s) => s.fault === 'reset') ? { kind: 'reset', afterBytes: 256 * 1024 } : undefined));
  const { direct, r } = await pushFresh(0, 'reset');
  proxy.setRule(() => undefined);
  assert.equal(r.exitCode, 0, r.output);
  assert.ok(proxy.seen.some((q) => q.fault === 'reset'));
  assert.equal(await skopeoDigest(direct), r.json!.manifestDigest);
});

test('500 and 503 answers are retried', async () => {
  let n = 0;
  proxy.setRule((q) => {
    if (q.method === 'HEAD' && n === 0) return (n++, { kind: 'status', status: 503 });
    if (q.method === 'POST' && n === 1) return (n++, { kind: 'status', status: 500 });
    if (isBlobPut(q) && n === 2) return (n++, { kind: 'status', status: 503 });
    return undefined;
  });
  const { direct, r } = await pushFresh(1, 'fivexx');
  proxy.setRule(() => undefined);
  assert.equal(r.exitCode, 0, r.output);
  assert.equal(n, 3);
  assert.equal(await skopeoDigest(direct), r.json!.manifestDigest);
});

test('429 with Retry-After is honoured', async () => {
  once((q) => q.method === 'PUT' && q.url.includes('/manifests/'), { kind: 'status', status: 429, headers: { 'retry-after': '2' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' });
  const t0 = Date.now();
  const { direct, r } = await pushFresh(2, 'toomany');
  proxy.setRule(() => undefined);
  assert.equal(r.exitCode, 0, r.output);
  assert.ok(Date.now() - t0 >= 2000, 'waited for Retry-After');
  assert.equal(await skopeoDigest(direct), r.json!.manifestDigest);
});

test('BLOB_UPLOAD_UNKNOWN on a PUT that did commit: HEAD finds the blob, no failure', async () => {
  once(isBlobPut, { kind: 'after', status: 404, body: '{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown to registry"}]}' });
  const { direct, r } = await pushFresh(3, 'uploadunknown');
  proxy.setRule(() => undefined);
  assert.equal(r.exitCode, 0, r.output);
  assert.equal(await skopeoDigest(direct), r.json!.manifestDigest);
});

test('a persistent failure leaves the old tag; the next run skips what arrived', async () => {
  const ref = `${proxy.host}/faults/persist:t`;
  const direct = `${reg.host}/faults/persist:t`;
  const old = await push(images[4], ref);
  assert.equal(old.exitCode, 0, old.output);
  // The new image's changed layer always fails; its other layers and config are already there or arrive.
  const next = images[5];
  let failing: string | undefined;
  proxy.setRule((q) => {
    if (q.method === 'POST' && q.url.includes('/blobs/uploads/')) {
      failing ??= q.url;
      return { kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}' };
    }
    return undefined;
  });
  const bad = await push(next, ref, ['--jobs', '1']);
  proxy.setRule(() => undefined);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.output, /^longshore: error: uploading layer sha256:[0-9a-f]{64} \(gzip\) to 127\.0\.0\.1:\d+\/faults\/persist: registry answered 500 \(UNKNOWN: disk on fire\) after 5 attempts$/m);
  assert.equal(await skopeoDigest(direct), old.json!.manifestDigest, 'the old tag is untouched');
  const again = await push(next, ref);
  assert.equal(again.exitCode, 0, again.output);
  assert.equal(again.json!.layers.filter((l) => l.action === 'uploaded').length, 1);
  assert.equal(await skopeoDigest(direct), again.json!.manifestDigest);
});
