// nix2container's popularity layering on synthetic graphs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClosureGraph } from '../../src/layering/graph.js';
import { popularityLayers, popularityOrder } from '../../src/layering/popularity.js';

const graph = (edges: Record<string, string[]>): ClosureGraph => ({ refs: new Map(Object.entries(edges)) });

// app → a, b; a → lib; b → lib; lib → libc; app → libc. Paths from app: lib 2, libc 3 (via a/lib, b/lib, app).
const g = graph({ app: ['a', 'b', 'libc'], a: ['lib'], b: ['lib'], lib: ['libc'], libc: [] });
const all = new Set(['app', 'a', 'b', 'lib', 'libc']);

describe('popularityOrder', () => {
  test('ranks by the number of paths from the roots; ties by name', () => {
    assert.deepEqual(popularityOrder(g, ['app'], all), ['libc', 'lib', 'a', 'app', 'b']);
  });

  test('several roots add up; only the given paths are ranked', () => {
    // With a second root reaching b: b is reached twice.
    assert.deepEqual(popularityOrder(g, ['app', 'b'], all), ['libc', 'lib', 'b', 'a', 'app']);
    assert.deepEqual(popularityOrder(g, ['app'], new Set(['a', 'libc'])), ['libc', 'a']);
  });
});

describe('popularityLayers', () => {
  test('the first maxLayers-1 paths get their own layers, the rest share the last', () => {
    assert.deepEqual(popularityLayers(g, ['app'], all, 3), [['libc'], ['lib'], ['a', 'app', 'b']]);
    assert.deepEqual(popularityLayers(g, ['app'], all, 1), [['libc', 'lib', 'a', 'app', 'b']]);
  });

  test('room for every path: one layer each, and no empty layer', () => {
    assert.deepEqual(popularityLayers(g, ['app'], all, 5), [['libc'], ['lib'], ['a'], ['app'], ['b']]);
    assert.deepEqual(popularityLayers(g, ['app'], all, 50), [['libc'], ['lib'], ['a'], ['app'], ['b']]);
  });

  test('nothing to lay out: no layers', () => {
    assert.deepEqual(popularityLayers(g, ['app'], new Set(), 3), []);
  });
});
