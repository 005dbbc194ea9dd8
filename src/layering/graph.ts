// The closure graph Nix writes for exportReferencesGraph: per path, its deriver and references.
import { readFileSync } from 'node:fs';
import { UserError } from '../util/errors.js';

export interface ClosureGraph {
  /** path → direct references (self-references removed) */
  refs: Map<string, string[]>;
}

/** Parses the registration format: path, deriver, reference count, references… repeated. */
export function parseReferencesGraph(text: string, file: string, into: ClosureGraph = { refs: new Map() }): ClosureGraph {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const path = lines[i++];
    if (path === '') continue;
    if (!path.startsWith('/')) throw new UserError(`${file}: line ${i}: expected a store path, got ${JSON.stringify(path)}`);
    i++; // deriver
    const n = Number(lines[i++]);
    if (!Number.isInteger(n) || n < 0) throw new UserError(`${file}: line ${i}: expected a reference count`);
    const refs = lines.slice(i, i + n).filter((r) => r !== path);
    i += n;
    into.refs.set(path, refs);
  }
  return into;
}

export function loadGraphs(files: string[]): ClosureGraph {
  const g: ClosureGraph = { refs: new Map() };
  for (const f of files) parseReferencesGraph(readFileSync(f, 'utf8'), f, g);
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
    if (!refs) throw new UserError(`store path ${p} is not in the closure graph; was it passed through exportReferencesGraph?`);
    for (const r of [...refs].sort().reverse()) if (!seen.has(r)) stack.push(r);
  }
  return [...seen].sort();
}
