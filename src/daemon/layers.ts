// What a daemon already holds, in the terms each loader skips by.
import { sha256 } from '../util/digest.js';

/** ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)) (OCI image spec). */
export function chainIDs(diffIDs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIDs) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

/**
 * How a loader decides it may skip a layer file:
 * - stack-prefix (Docker's classic loader): it has the ChainID of the stack up to that layer, so
 *   only the longest bottom run of our stack held in some image can be left out;
 * - anywhere (Podman): it has a layer with that DiffID, wherever it sits.
 */
export type SkipRule = 'stack-prefix' | 'anywhere';

/** The DiffIDs of `ours` the loader can skip, given the layer stacks (RootFS.Layers) of images it holds. */
export function skippable(ours: readonly string[], stacks: readonly (readonly string[])[], rule: SkipRule): Set<string> {
  if (rule === 'anywhere') {
    const held = new Set(stacks.flat());
    return new Set(ours.filter((d) => held.has(d)));
  }
  const held = new Set(stacks.flatMap((s) => chainIDs(s)));
  const chains = chainIDs(ours);
  let n = 0;
  while (n < chains.length && held.has(chains[n])) n++;
  return new Set(ours.slice(0, n));
}

/**
 * The layers a daemon can skip. The image now under the target tag is asked about first: in the
 * edit/load loop it is the previous build, and when it leaves at most the top layer to send, that
 * settles it. Otherwise every image is inspected (one request each, so a daemon holding hundreds of
 * images makes this the slow part of a load).
 */
export async function layersToSkip(
  ours: readonly string[],
  rule: SkipRule,
  current: readonly string[] | undefined,
  everyStack: () => Promise<(readonly string[])[]>,
): Promise<Set<string>> {
  const fromCurrent = skippable(ours, current ? [current] : [], rule);
  if (fromCurrent.size > 0 && fromCurrent.size >= ours.length - 1) return fromCurrent;
  return skippable(ours, await everyStack(), rule);
}
