// The JSON the Nix library emits (layers JSON, image JSON): parsed and checked once, with errors
// naming the file and the place in it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_VERSION, INDEX_KIND, loadImageFile, loadImageOrIndex, loadLayersFile, parseLayerRecord } from '../../src/image/schema.js';
import { resolveIndex } from '../../src/image/model.js';
import { UserError } from '../../src/util/errors.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const record = (extra: Record<string, unknown> = {}) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: D1, diffID: D1, size: 2048, ...extra });

let dir: string;
let n = 0;
before(() => (dir = mkdtempSync(join(tmpdir(), 'longshore-schema-'))));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(content: unknown): string {
  const f = join(dir, `f${n++}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}
function fails(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, re);
    return true;
  });
}

describe('parseLayerRecord', () => {
  test('fills the optional lists and keeps what it knows', () => {
    const r = parseLayerRecord('f', 'layers[0]', record({ paths: ['/nix/store/a'], sourceRepository: 'reg/x', writer: 'longshore-tar-1', sources: { declared: D2 }, history: { created_by: 'x' }, extra: 1 }));
    assert.deepEqual(r, {
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: D1,
      size: 2048,
      diffID: D1,
      paths: ['/nix/store/a'],
      copyToRoot: [],
      perms: [],
      entries: [],
      sources: { declared: D2 },
      history: { created_by: 'x' },
      blob: undefined,
      sourceRepository: 'reg/x',
      writer: 'longshore-tar-1',
    });
    assert.deepEqual(parseLayerRecord('f', 'w', record({ history: 'nope', sources: [] })).history, {});
  });

  test('each malformed field is named with its place in the file', () => {
    fails(() => parseLayerRecord('img.json', 'layers[2]', null), /^img\.json: layers\[2\]: expected an object$/);
    fails(() => parseLayerRecord('img.json', 'layers[2]', record({ digest: 'sha256:abc' })), /^img\.json: layers\[2\]\.digest: expected "sha256:<64 hex>", got "sha256:abc"$/);
    fails(() => parseLayerRecord('f', 'l', record({ diffID: D1.toUpperCase() })), /l\.diffID: expected "sha256:<64 hex>"/);
    for (const size of [-1, 1.5, '10', 2 ** 53]) fails(() => parseLayerRecord('f', 'l', record({ size })), /^f: l\.size: expected a byte count$/);
    fails(() => parseLayerRecord('f', 'l', record({ mediaType: undefined })), /l\.mediaType: expected a string/);
    fails(() => parseLayerRecord('f', 'l', record({ perms: {} })), /l\.perms: expected a list/);
    fails(() => parseLayerRecord('f', 'l', record({ entries: 'x' })), /l\.entries: expected a list/);
    fails(() => parseLayerRecord('f', 'l', record({ blob: 1 })), /l\.blob: expected a store path/);
    fails(() => parseLayerRecord('f', 'l', record({ paths: ['/nix/store/a', 3] })), /l\.paths: expected a list of strings/);
    fails(() => parseLayerRecord('f', 'l', record({ copyToRoot: '/nix/store/a' })), /l\.copyToRoot: expected a list of strings/);
  });
});

describe('loadImageFile', () => {
  const image = (extra: Record<string, unknown> = {}) => ({ version: FORMAT_VERSION, arch: 'amd64', os: 'linux', created: '1970-01-01T00:00:01Z', config: {}, layers: [record()], ...extra });

  test('a good image JSON', () => {
    const img = loadImageFile(file(image({ name: 'app', tag: 'v1', variant: 7, baseHistory: [{ created_by: 'b' }] })));
    assert.equal(img.name, 'app');
    assert.equal(img.tag, 'v1');
    assert.equal(img.variant, undefined);
    assert.equal(img.layers[0].diffID, D1);
    assert.deepEqual(img.baseHistory, [{ created_by: 'b' }]);
  });

  test('unreadable, not JSON, wrong shape, wrong version, missing fields, a bad layer', () => {
    const missing = join(dir, 'missing.json');
    fails(() => loadImageFile(missing), new RegExp(`^cannot read ${missing}: no such file or directory \\(ENOENT\\)$`));
    const bad = file('{"version": 1,');
    fails(() => loadImageFile(bad), new RegExp(`^${bad}: not valid JSON: `));
    fails(() => loadImageFile(file({ version: 1, layers: [] })), /: top level: expected an image JSON \(a buildImage output\) with "config" and "layers"$/);
    fails(() => loadImageFile(file(image({ version: 2 }))), /: version: unsupported format version 2; rebuild with this longshore$/);
    fails(() => loadImageFile(file(image({ arch: undefined }))), /: arch: expected a string$/);
    fails(() => loadImageFile(file(image({ created: 0 }))), /: created: expected a string$/);
    fails(() => loadImageFile(file(image({ layers: [record(), record({ size: -5 })] }))), /: layers\[1\]\.size: expected a byte count$/);
  });

  test('a layers JSON given where an image JSON is expected says so', () => {
    fails(() => loadImageFile(file({ version: 1, layers: [record()] })), /expected an image JSON/);
  });
});

describe('loadLayersFile', () => {
  const base = { reference: 'r', manifestDigest: D2, os: 'linux', architecture: 'amd64', config: { Env: [] }, history: [] };

  test('layers alone, or with a base', () => {
    assert.deepEqual(loadLayersFile(file({ version: 1, layers: [] })), { version: 1, layers: [] });
    const withBase = loadLayersFile(file({ version: 1, layers: [record()], base }));
    assert.deepEqual(withBase.base, base);
    assert.equal(withBase.layers.length, 1);
  });

  test('wrong shape, wrong version, a malformed base', () => {
    fails(() => loadLayersFile(file({ version: 1 })), /: top level: expected \{"version": 1, "layers": \[\.\.\.\]\} \(a buildLayer output\)$/);
    fails(() => loadLayersFile(file({ version: '1', layers: [] })), /: version: unsupported format version "1"/);
    fails(() => loadLayersFile(file({ version: 1, layers: [], base: { ...base, history: {} } })), /: base: expected \{reference, manifestDigest, os, architecture, config, history\}/);
    fails(() => loadLayersFile(file({ version: 1, layers: [], base: { ...base, os: undefined } })), /: base: expected/);
    fails(() => loadLayersFile(file({ version: 1, layers: [{}] })), /: layers\[0\]\.digest: expected "sha256:<64 hex>", got undefined$/);
  });
});

describe('index JSON', () => {
  const image = (arch: string, extra: Record<string, unknown> = {}) => file({ version: FORMAT_VERSION, name: 'app', arch, os: 'linux', created: '1970-01-01T00:00:01Z', config: {}, layers: [record()], ...extra });
  const index = (images: string[], extra: Record<string, unknown> = {}) => file({ version: FORMAT_VERSION, kind: INDEX_KIND, name: 'app', images, ...extra });
  const tarWriter = () => Promise.reject(new Error('no layers are made here'));

  test('names its images; each is read and checked, with its platform', () => {
    const a = image('amd64');
    const b = image('arm64', { variant: 'v8', annotations: { x: 'y' } });
    const got = loadImageOrIndex(index([a, b], { tag: 'v1', annotations: { 'org.opencontainers.image.revision': 'abc' } }));
    assert.equal(got.kind, 'index');
    if (got.kind !== 'index') return;
    assert.deepEqual(got.index.file.annotations, { 'org.opencontainers.image.revision': 'abc' });
    assert.deepEqual(got.index.images.map((i) => i.platform), [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]);
    assert.deepEqual(got.index.images[1].file.annotations, { x: 'y' });
    const r = resolveIndex('ix.json', got.index, { tarWriter, annotations: { extra: '1' } });
    const doc = JSON.parse(r.index.bytes.toString()) as { manifests: { digest: string; platform: unknown }[]; annotations: Record<string, string> };
    assert.deepEqual(doc.manifests.map((m) => m.digest), r.images.map((i) => i.manifest.digest));
    assert.deepEqual(doc.manifests[1].platform, { architecture: 'arm64', os: 'linux', variant: 'v8' });
    assert.deepEqual(doc.annotations, { 'org.opencontainers.image.revision': 'abc', extra: '1' }, 'copy-time annotations go to the index');
    assert.deepEqual(JSON.parse(r.images[1].manifest.bytes.toString()).annotations, { x: 'y' }, "an image keeps its own");
    assert.equal(JSON.parse(r.images[0].manifest.bytes.toString()).annotations, undefined, 'no annotations: no key, the manifest as before');
    // The same inputs, the same bytes.
    assert.equal(resolveIndex('ix.json', got.index, { tarWriter, annotations: { extra: '1' } }).index.digest, r.index.digest);
  });

  test('an image JSON is an image; an index where an image is needed is named as such', () => {
    assert.equal(loadImageOrIndex(image('amd64')).kind, 'image');
    fails(() => loadImageFile(index([image('amd64')])), /this is an index JSON \(a buildImageIndex output\)/);
  });

  test('two images for one platform are an error naming both', () => {
    const a = image('arm64');
    const b = image('arm64', { variant: 'v8' });
    assert.throws(
      () => loadImageOrIndex(index([image('amd64'), a, b])),
      (e: unknown) => e instanceof UserError && e.code === 'PLATFORM_CONFLICT' && e.message.includes(`images[1] ${a} and images[2] ${b} are both for linux/arm64/v8`),
    );
  });

  test('no images, bad annotations, a missing version fail, naming the place', () => {
    fails(() => loadImageOrIndex(index([])), /images: expected a non-empty list/);
    fails(() => loadImageOrIndex(index([image('amd64')], { annotations: { a: 1 } })), /annotations: expected an object of strings/);
    fails(() => loadImageOrIndex(index([image('amd64')], { version: 7 })), /version: unsupported format version 7/);
  });
});
