// Builds the bench fixture (bench/fixture.nix) with the host-tools package set.
import { nixBuild, ROOT } from '../test/helpers/nix.js';

import { readFileSync } from 'node:fs';

let depPaths: string[] | undefined;

/** Imports the fixture's host directories into the store once; later expressions refer to them by path. */
export async function importFixture(): Promise<string[]> {
  if (!depPaths) {
    const list = await nixBuild(`(import ${ROOT}/bench/fixture.nix { inherit pkgs longshore; }).deps`);
    depPaths = readFileSync(list, 'utf8').split('\n').filter(Boolean);
  }
  return depPaths;
}

export interface FixtureArgs {
  change?: string;
  nonce?: string;
  maxLayers?: number;
}

/** Call importFixture() first. */
export function fixtureExpr(attr: 'image' | 'app' | 'archiveful', a: FixtureArgs = {}): string {
  const deps = depPaths ? `depPaths = [ ${depPaths.map((p) => JSON.stringify(p)).join(' ')} ];` : '';
  return `(import ${ROOT}/bench/fixture.nix { inherit pkgs longshore; ${deps} change = ${JSON.stringify(a.change ?? '')}; nonce = ${JSON.stringify(a.nonce ?? '')}; maxLayers = ${a.maxLayers ?? 8}; }).${attr}`;
}

/** Builds the fixture image JSON; returns its path and how long nix-build took. */
export async function buildFixtureImage(a: FixtureArgs = {}): Promise<{ image: string; seconds: number }> {
  await importFixture();
  const t0 = performance.now();
  const image = await nixBuild(fixtureExpr('image', a));
  return { image, seconds: (performance.now() - t0) / 1000 };
}
