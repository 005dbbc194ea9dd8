// The default size-aware layering on synthetic graphs: big stable paths get layers of their own,
// the rest is grouped by which of those need it, the roots sit alone on top.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClosureGraph } from '../../src/layering/graph.js';
import { sizeAwareLayers } from '../../src/layering/size.js';

const MB = 1 << 20;
// app → libA, libB; libA → glibc, zlib; libB → glibc, openssl.
const refs: Record<string, string[]> = { app: ['libA', 'libB'], libA: ['glibc', 'zlib'], libB: ['glibc', 'openssl'], glibc: [], zlib: [], openssl: [] };
const sizes = new Map(Object.entries({ app: 1 * MB, libA: 100 * MB, libB: 50 * MB, glibc: 30 * MB, openssl: 5 * MB, zlib: 1 * MB }));
const g: ClosureGraph = { refs: new Map(Object.entries(refs)) };
const all = new Set(Object.keys(refs));

describe('sizeAwareLayers', () => {
  test('maxLayers 1: everything in one sorted layer', () => {
    assert.deepEqual(sizeAwareLayers(g, ['app'], all, sizes, 1), [['app', 'glibc', 'libA', 'libB', 'openssl', 'zlib']]);
  });

  test('the biggest paths alone, the others grouped by which of them need them, biggest at the bottom, the app on top', () => {
    assert.deepEqual(sizeAwareLayers(g, ['app'], all, sizes, 4), [['libA'], ['libB', 'openssl'], ['glibc', 'zlib'], ['app']]);
    assert.deepEqual(sizeAwareLayers(g, ['app'], all, sizes, 6), [['libA'], ['libB'], ['glibc'], ['openssl'], ['zlib'], ['app']]);
  });

  test('maxLayers 2: the app alone on top of all its dependencies', () => {
    assert.deepEqual(sizeAwareLayers(g, ['app'], all, sizes, 2), [['glibc', 'libA', 'libB', 'openssl', 'zlib'], ['app']]);
  });

  test('only roots, or nothing', () => {
    assert.deepEqual(sizeAwareLayers(g, ['zlib'], new Set(['zlib']), sizes, 4), [['zlib']]);
    assert.deepEqual(sizeAwareLayers(g, ['app'], new Set(), sizes, 4), []);
  });

  test('without a root among the paths, the whole budget goes to dependencies', () => {
    assert.deepEqual(sizeAwareLayers(g, ['app'], new Set(['libA', 'glibc', 'zlib']), sizes, 3), [['libA'], ['glibc'], ['zlib']]);
  });

  test('a rebuilt app changes the top layer only', () => {
    const g2: ClosureGraph = { refs: new Map([...g.refs, ['app2', ['libA', 'libB']]]) };
    g2.refs.delete('app');
    const paths2 = new Set([...all].filter((p) => p !== 'app').concat('app2'));
    const v1 = sizeAwareLayers(g, ['app'], all, sizes, 4);
    const v2 = sizeAwareLayers(g2, ['app2'], paths2, new Map([...sizes, ['app2', 2 * MB]]), 4);
    assert.deepEqual(v2.slice(0, -1), v1.slice(0, -1));
    assert.deepEqual(v2.at(-1), ['app2']);
  });

  test('on random graphs: each path exactly once, at most maxLayers layers, the roots alone on top', () => {
    // A seeded generator: the same graphs every run.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const count = 1 + Math.floor(rand() * 30);
      const names = Array.from({ length: count }, (_, i) => `p${String(i).padStart(2, '0')}`);
      const r = new Map<string, string[]>();
      // References only point to later names: a DAG, as Nix closures are.
      names.forEach((p, i) => r.set(p, names.slice(i + 1).filter(() => rand() < 0.2)));
      const sz = new Map(names.map((p) => [p, Math.floor(rand() * 1000)]));
      const roots = names.filter((_, i) => i === 0 || rand() < 0.1);
      const paths = new Set(names.filter(() => rand() < 0.9));
      const maxLayers = 1 + Math.floor(rand() * 8);
      const layers = sizeAwareLayers({ refs: r }, roots, paths, sz, maxLayers);
      const what = `round ${round}: ${count} paths, maxLayers ${maxLayers}`;
      assert.deepEqual(layers.flat().sort(), [...paths].sort(), what);
      assert.ok(layers.length <= maxLayers, `${what}: ${layers.length} layers`);
      assert.ok(layers.every((l) => l.length > 0), `${what}: an empty layer`);
      const top = roots.filter((p) => paths.has(p)).sort();
      if (maxLayers > 1 && top.length && top.length < paths.size) assert.deepEqual(layers.at(-1), top, what);
      // Deterministic.
      assert.deepEqual(sizeAwareLayers({ refs: r }, roots, paths, sz, maxLayers), layers, what);
    }
  });
});
