// The closure graph Nix gives through exportReferencesGraph: per path, its references and NAR size.
import { UserError } from '../util/errors.js';

export interface ClosureGraph {
  /** path → direct references (self-references removed) */
  refs: Map<string, string[]>;
}

/** From structured attrs' exportReferencesGraph entries, which also carry each path's NAR size. */
export function graphFromNodes(nodes: { path: string; narSize: number; references: string[] }[]): ClosureGraph & { sizes: Map<string, number> } {
  const g = { refs: new Map<string, string[]>(), sizes: new Map<string, number>() };
  for (const n of nodes) {
    g.refs.set(n.path, n.references.filter((r) => r !== n.path));
    g.sizes.set(n.path, n.narSize);
  }
  return g;
}

/** Every path reachable from `roots`, in a stable order. */
export function closureOf(g: ClosureGraph, roots: string[]): string[] {
  const seen = new Set<string>();
  const stack = [...roots].reverse();
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const refs = g.refs.get(p);
    if (!refs) throw new UserError('BUILD_ATTRS', `store path ${p} is not in the closure graph; was it passed through exportReferencesGraph?`);
    for (const r of [...refs].sort().reverse()) if (!seen.has(r)) stack.push(r);
  }
  return [...seen].sort();
}
