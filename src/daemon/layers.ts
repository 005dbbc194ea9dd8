// What a daemon already holds, in the terms each loader skips by.
import { sha256 } from '../util/digest.js';
import { runLimited } from '../util/limit.js';

/** ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)) (OCI image spec). */
export function chainIDs(diffIDs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIDs) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

/**
 * The Docker classic loader opens a layer file only when the ChainID of the stack up to it is
 * missing, so what can be left out is the longest prefix of our stack the daemon already has.
 * Returns how many bottom layers to omit.
 */
export function presentPrefix(ours: readonly string[], held: ReadonlySet<string>): number {
  const chains = chainIDs(ours);
  let n = 0;
  while (n < chains.length && held.has(chains[n])) n++;
  return n;
}

/** Collects every ChainID (or, with chains=false, every DiffID) of the given images' RootFS.Layers. */
export async function heldLayers(
  ids: readonly string[],
  rootfs: (id: string) => Promise<string[] | undefined>,
  chains: boolean,
): Promise<Set<string>> {
  const held = new Set<string>();
  const all = await runLimited(ids, 8, async (id) => (await rootfs(id)) ?? []);
  for (const diffIDs of all) for (const c of chains ? chainIDs(diffIDs) : diffIDs) held.add(c);
  return held;
}
