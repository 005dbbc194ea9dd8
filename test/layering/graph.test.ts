// Closure graphs as Nix exports them (exportReferencesGraph with structured attrs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closureOf, graphFromNodes } from '../../src/layering/graph.js';
import { UserError } from '../../src/util/errors.js';

const node = (path: string, references: string[], narSize = 1) => ({ path, narSize, references });

test('graphFromNodes drops self-references and keeps NAR sizes', () => {
  const g = graphFromNodes([node('a', ['a', 'b'], 10), node('b', ['b'], 20)]);
  assert.deepEqual([...g.refs], [['a', ['b']], ['b', []]]);
  assert.deepEqual([...g.sizes], [['a', 10], ['b', 20]]);
});

test('closureOf: everything reachable from the roots, once, sorted; cycles end', () => {
  const g = graphFromNodes([node('app', ['libc', 'tool']), node('tool', ['libc', 'zlib']), node('zlib', ['libc']), node('libc', []), node('unrelated', ['libc']), node('x', ['y']), node('y', ['x'])]);
  assert.deepEqual(closureOf(g, ['app']), ['app', 'libc', 'tool', 'zlib']);
  assert.deepEqual(closureOf(g, ['zlib', 'tool']), ['libc', 'tool', 'zlib']);
  assert.deepEqual(closureOf(g, ['x']), ['x', 'y']);
  assert.deepEqual(closureOf(g, []), []);
});

test('a path missing from the graph is a UserError naming it', () => {
  const g = graphFromNodes([node('app', ['ghost'])]);
  assert.throws(() => closureOf(g, ['app']), (e: unknown) => e instanceof UserError && /^store path ghost is not in the closure graph/.test(e.message));
  assert.throws(() => closureOf(g, ['nope']), /store path nope is not in the closure graph/);
});
