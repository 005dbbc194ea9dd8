// Build-time messages about an image's layers: too many layers pinned on the argument that made
// them, and the warnings an image with a Nix database gets for what changes a store path.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLayerSpec, storeCopyWarnings, tooManyLayers, type LayerCounts } from '../../src/commands/build-layers.js';
import { assembleImage } from '../../src/commands/build-image.js';
import type { LayerRecord } from '../../src/image/schema.js';
import { UserError } from '../../src/util/errors.js';

const counts = (c: Partial<LayerCounts>): LayerCounts => ({ subject: 'the image', layers: 0, layersResults: 0, own: 1, maxLayers: 1, ...c });

describe('too many layers', () => {
  test('made by `layers` with maxLayers = 1: says so, and does not ask to lower maxLayers', () => {
    const e = tooManyLayers(counts({ layers: 130, layersResults: 2 }));
    assert.ok(e instanceof UserError);
    assert.equal(e.code, 'TOO_MANY_LAYERS');
    assert.equal(e.message, 'the image would have 131 layers, and Docker refuses more than 125: 130 from `layers` (2 buildLayer results), 1 of its own (maxLayers = 1); most come from `layers`');
    assert.equal(e.hint, 'give `layers` fewer buildLayer results, or build them with a lower maxLayers (one buildLayer may hold many deps) (aim for at most 100 layers in all)');
  });

  test('made by its own maxLayers on top of a base: lower maxLayers, by how much', () => {
    const e = tooManyLayers(counts({ fromImage: { count: 100, reference: 'registry.example/base:1' }, own: 30, maxLayers: 30 }));
    assert.equal(e.message, 'the image would have 130 layers, and Docker refuses more than 125: 100 from fromImage (registry.example/base:1), 30 of its own (maxLayers = 30); most come from fromImage');
    assert.match(e.hint!, /^lower maxLayers to 25 or less \(aim/);
  });

  test('a base that alone is too big: a base with fewer layers', () => {
    const e = tooManyLayers(counts({ fromImage: { count: 126, reference: 'b' }, own: 1 }));
    assert.match(e.message, /127 layers.*most come from fromImage$/);
    assert.match(e.hint!, /^use a base image with fewer layers \(fromImage has 126\)/);
  });

  test('assembleImage counts fromImage, `layers` and its own layers after dropping repeats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'longshore-assemble-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const rec = (i: number, tag: string): LayerRecord => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: `sha256:${tag}${i.toString(16).padStart(64 - tag.length, '0')}`,
      diffID: `sha256:${tag}${i.toString(16).padStart(64 - tag.length, '0')}`,
      size: 1, paths: [], copyToRoot: [], perms: [], entries: [], history: {},
    });
    const base = join(dir, 'base.json');
    const baseLayers = Array.from({ length: 120 }, (_, i) => rec(i, 'b'));
    writeFileSync(base, JSON.stringify({ version: 1, layers: baseLayers, base: { reference: 'reg/base:1', manifestDigest: 'sha256:' + '0'.repeat(64), os: 'linux', architecture: 'amd64', config: {}, history: [] } }));
    // 4 from `layers` (one repeats a base layer), then 3 of its own.
    const own = [rec(1, 'b'), ...Array.from({ length: 3 }, (_, i) => rec(i, 'a')), ...Array.from({ length: 3 }, (_, i) => rec(i, 'c'))];
    assert.throws(
      () => assembleImage({ name: 'app', arch: 'amd64', layers: [base] }, own, counts({ layers: 4, layersResults: 1, own: 3, maxLayers: 3 })),
      (e: unknown) => e instanceof UserError && e.code === 'TOO_MANY_LAYERS' && e.message === 'the image would have 126 layers, and Docker refuses more than 125: 120 from fromImage (reg/base:1), 3 from `layers` (1 buildLayer result), 3 of its own (maxLayers = 3); most come from fromImage' && /^lower maxLayers to 2 or less/.test(e.hint ?? ''),
    );
  });
});

describe('warnings with initializeNixDatabase', () => {
  const spec = (s: Record<string, unknown>) => parseLayerSpec({ nixDatabase: true, ...s }, 'attrs.json');
  const layer = (paths: string[], extra: Partial<LayerRecord> = {}): LayerRecord => ({
    mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: 'sha256:' + '1'.repeat(64), diffID: 'sha256:' + '1'.repeat(64), size: 1,
    paths, copyToRoot: [], perms: [], entries: [], history: {}, ...extra,
  });
  const dep = '/nix/store/00000000000000000000000000000000-dep';
  const root = '/nix/store/11111111111111111111111111111111-root';

  test('a rule on a plain dependency and a declaration inside a store path are named; a rule on a copyToRoot entry is not', () => {
    const s = spec({
      copyToRoot: [root],
      perms: [{ path: root, regex: '.*', mode: '0777' }, { path: dep, regex: '/bin/x$', mode: '4755' }, { path: '/nix/store/22222222222222222222222222222222-absent', regex: '.*' }],
      entries: [{ path: `${dep}/data`, type: 'directory', by: 'directories[0]' }, { path: '/nix/store', type: 'directory', by: 'initializeNixDatabase' }, { path: '/tmp', type: 'directory', by: 'directories[1]' }],
    });
    const w = storeCopyWarnings(s, [], [layer([dep, root])]);
    assert.equal(w.length, 2, w.join('\n'));
    assert.match(w[0], new RegExp(`^perms\\[1\\] \\(path ${dep}, regex "/bin/x\\$"\\) changes the store copy of ${dep}, which the Nix database of initializeNixDatabase registers as Nix built it: nix-store --verify --check-contents inside the image will report it "modified"`));
    assert.match(w[1], new RegExp(`^directories\\[0\\] \\(${dep}/data\\) lands inside store path ${dep}, `));
  });

  test("a buildLayer's own rules and declarations, from its record", () => {
    const nested = layer([dep], { perms: [{ path: dep, regex: '.*', uid: 1 }, { path: root, regex: '.*', scope: 'root' }], entries: [{ path: `${dep}/x`, type: 'file', by: 'symlinks[0]' }] });
    const w = storeCopyWarnings(spec({}), [nested], []);
    assert.equal(w.length, 2, w.join('\n'));
    assert.match(w[0], /^a perms rule of a buildLayer in `layers` \(path \S+-dep, regex "\.\*"\) changes the store copy/);
    assert.match(w[1], /^symlinks\[0\] of a buildLayer in `layers` \(\S+-dep\/x\) lands inside store path/);
  });
});
