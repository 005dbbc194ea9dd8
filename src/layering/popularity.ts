// nix2container's maxLayers behaviour: paths ranked by popularity; the first maxLayers-1 get their own
// layers and everything else shares the last one.
import type { ClosureGraph } from './graph.js';

/** Popularity = number of distinct paths from the roots through the reference DAG reaching the node. */
export function popularityOrder(g: ClosureGraph, roots: string[], paths: Set<string>): string[] {
  const count = new Map<string, number>();
  const order: string[] = [];
  const state = new Map<string, 1 | 2>();
  // Topological order (referrers before references) by DFS post-order, reversed.
  const visit = (p: string): void => {
    if (state.get(p)) return;
    state.set(p, 1);
    for (const r of [...(g.refs.get(p) ?? [])].sort()) visit(r);
    state.set(p, 2);
    order.push(p);
  };
  for (const r of [...roots].sort()) visit(r);
  order.reverse();
  for (const r of roots) count.set(r, (count.get(r) ?? 0) + 1);
  for (const p of order) {
    const c = count.get(p) ?? 0;
    for (const r of g.refs.get(p) ?? []) count.set(r, (count.get(r) ?? 0) + c);
  }
  return order
    .filter((p) => paths.has(p))
    .sort((a, b) => (count.get(b)! - count.get(a)!) || (a < b ? -1 : a > b ? 1 : 0));
}

export function popularityLayers(g: ClosureGraph, roots: string[], paths: Set<string>, maxLayers: number): string[][] {
  const ranked = popularityOrder(g, roots, paths);
  if (ranked.length === 0) return [];
  const own = ranked.slice(0, Math.max(0, maxLayers - 1)).map((p) => [p]);
  const rest = ranked.slice(Math.max(0, maxLayers - 1));
  return rest.length ? [...own, rest] : own;
}
