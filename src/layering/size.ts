// Size-aware layering (the default). Big stable dependencies get layers of their own; paths are grouped
// by which of those big paths need them; the application (the roots) sits alone on top, so a rebuild
// of the app re-sends only the top layer.
import type { ClosureGraph } from './graph.js';

export function sizeAwareLayers(
  g: ClosureGraph,
  roots: string[],
  paths: Set<string>,
  sizes: Map<string, number>,
  maxLayers: number,
): string[][] {
  const all = [...paths].sort();
  if (all.length === 0) return [];
  if (maxLayers <= 1) return [all];
  const top = all.filter((p) => roots.includes(p));
  const stable = all.filter((p) => !roots.includes(p));
  if (stable.length === 0) return [top];
  const budget = maxLayers - (top.length ? 1 : 0);

  // Descendants (within `stable`) of each stable path, memoised.
  const below = new Map<string, Set<string>>();
  const desc = (p: string): Set<string> => {
    let s = below.get(p);
    if (s) return s;
    s = new Set([p]);
    below.set(p, s);
    for (const r of g.refs.get(p) ?? []) if (paths.has(r) && !roots.includes(r)) for (const x of desc(r)) s.add(x);
    return s;
  };
  const bySize = [...stable].sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0) || (a < b ? -1 : 1));

  const group = (primaries: string[]): string[][] => {
    const prim = new Set(primaries);
    const keyOf = new Map<string, string>();
    for (const p of stable) {
      if (prim.has(p)) continue;
      const key = primaries.filter((q) => desc(q).has(p)).join('|');
      keyOf.set(p, key);
    }
    const groups = new Map<string, string[]>();
    for (const [p, k] of keyOf) groups.set(k, [...(groups.get(k) ?? []), p]);
    return [...primaries.map((p) => [p]), ...groups.values()];
  };

  let best = [stable];
  if (budget >= 2) {
    for (let k = 1; k <= bySize.length && k <= budget; k++) {
      const layers = group(bySize.slice(0, k));
      if (layers.length > budget) break;
      best = layers;
    }
  }
  const layerSize = (l: string[]): number => l.reduce((a, p) => a + (sizes.get(p) ?? 0), 0);
  // Biggest (most stable, most shared) at the bottom; ties by name for determinism.
  best = best.map((l) => l.sort()).sort((a, b) => layerSize(b) - layerSize(a) || (a[0] < b[0] ? -1 : 1));
  return top.length ? [...best, top] : best;
}
