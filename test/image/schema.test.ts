// The JSON the Nix library emits (layers JSON, image JSON): parsed and checked once, with errors
// naming the file and the place in it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_VERSION, loadImageFile, loadLayersFile, parseLayerRecord } from '../../src/image/schema.js';
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
    fails(() => loadImageFile(missing), new RegExp(`^cannot read ${missing}: ENOENT$`));
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
