// Layering strategies on closures whose shape the test controls.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nixBuild } from '../helpers/nix.js';
import { loadImageFile } from '../../src/image/schema.js';

const nonce = String(Date.now());
// lib is referenced by a and b; app references a, b and big. Contents only hold references.
const graph = `
  lib = pkgs.runCommand "lib" { n = "${nonce}"; } "echo lib > $out";
  a = pkgs.runCommand "a" { } "echo \${lib} > $out";
  b = pkgs.runCommand "b" { } "echo \${lib} > $out";
  big = pkgs.runCommand "big" { n = "${nonce}"; } "head -c 3000000 /dev/zero > $out";
  app = pkgs.runCommand "app" { } "echo \${a} \${b} \${big} > $out";
`;
const image = (args: string) => `let ${graph} in longshore.buildImage { name = "shape"; config.Cmd = [ "\${app}" ]; ${args} }`;
const names = (paths: string[]) => paths.map((p) => p.replace(/^\/nix\/store\/[0-9a-z]{32}-/, '')).sort();

describe('layering', () => {
  test('maxLayers = 1 (the default) puts the closure in one layer', async () => {
    const img = loadImageFile(await nixBuild(image('')));
    assert.equal(img.layers.length, 1);
    assert.deepEqual(names(img.layers[0].paths), ['a', 'app', 'b', 'big', 'lib']);
  });

  test('popularity (nix2container): the most referenced paths get their own layers, the rest share the last', async () => {
    const img = loadImageFile(await nixBuild(image('maxLayers = 3; layeringStrategy = "popularity";')));
    assert.equal(img.layers.length, 3);
    assert.deepEqual(names(img.layers[0].paths), ['lib']); // reached through a and through b
    assert.equal(img.layers[1].paths.length, 1);
    assert.equal(img.layers[2].paths.length, 3);
  });

  test('size-aware (default): big paths alone, the application alone on top', async () => {
    const img = loadImageFile(await nixBuild(image('maxLayers = 4;')));
    assert.ok(img.layers.length <= 4);
    assert.deepEqual(names(img.layers[img.layers.length - 1].paths), ['app']);
    assert.deepEqual(names(img.layers[0].paths), ['big']);
    const all = img.layers.flatMap((l) => names(l.paths)).sort();
    assert.deepEqual(all, ['a', 'app', 'b', 'big', 'lib']);
  });

  test('after a change to the application only the top layer differs', async () => {
    const v1 = loadImageFile(await nixBuild(image('maxLayers = 4;')));
    const v2 = loadImageFile(await nixBuild(image('maxLayers = 4; config.Env = [ "X=1" ];').replace('"echo ${a}', '"echo v2 ${a}')));
    assert.equal(v1.layers.length, v2.layers.length);
    const differ = v1.layers.map((l, i) => l.digest !== v2.layers[i].digest);
    assert.deepEqual(differ, [...differ.slice(0, -1).map(() => false), true]);
  });

  test('more than 125 layers is refused with a clear error', async () => {
    await assert.rejects(nixBuild(image('maxLayers = 126;')), /maxLayers = 126 is more than 125/);
  });

  test('nested buildLayer chains: each path once, cost linear in the depth', async () => {
    const depth = 40;
    // p_i references p_{i-1}; layer_i = buildLayer { deps = [p_i]; layers = [layer_{i-1}]; }
    const expr = `
      let
        step = acc: i: let p = pkgs.runCommand "p\${toString i}" { n = "${nonce}"; } "echo \${acc.p} > $out";
                       in { inherit p; layer = longshore.buildLayer { deps = [ p ]; layers = if acc.layer == null then [ ] else [ acc.layer ]; }; };
        last = builtins.foldl' step { p = ""; layer = null; } (builtins.genList (i: i) ${depth});
      in longshore.buildImage { name = "deep"; layers = [ last.layer ]; }`;
    const img = loadImageFile(await nixBuild(expr));
    assert.equal(img.layers.length, depth);
    const paths = img.layers.flatMap((l) => l.paths);
    assert.equal(new Set(paths).size, paths.length, 'no store path repeated');
    assert.equal(paths.length, depth);
    assert.deepEqual(names(img.layers[0].paths), ['p0']);
  });
});
