// Build time (inside a Nix derivation): closure graph → layers → each layer's tar streamed through
// sha256 without being written anywhere → layers JSON.
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEDIA_TYPE_LAYER_TAR } from '../image/media-types.js';
import { FORMAT_VERSION, loadLayersFile, type DeclaredEntry, type LayerRecord, type PermRule } from '../image/schema.js';
import { closureOf, graphFromNodes } from '../layering/graph.js';
import { graphNodes, readNixAttrs, type GraphNode } from '../nix-attrs.js';
import { popularityLayers } from '../layering/popularity.js';
import { sizeAwareLayers } from '../layering/size.js';
import { availableParallelism } from 'node:os';
import { WRITER_VERSION } from '../tar/writer.js';
import { digestLayers } from '../tar/digest-pool.js';
import { UserError } from '../util/errors.js';

export const MAX_LAYERS_HARD = 125; // Docker's maxLayerDepth
export const MAX_LAYERS_SOFT = 100;

export interface LayerSpec {
  deps: string[];
  copyToRoot: string[];
  ignore: string[];
  layers: string[]; // layers JSON files of nested buildLayer results
  perms: PermRule[];
  maxLayers: number;
  strategy: 'size' | 'popularity';
  metadata: LayerRecord['history'];
  entries: DeclaredEntry[];
}

const asList = (v: unknown): string[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function parseLayerSpec(raw: unknown, file: string): LayerSpec {
  if (typeof raw !== 'object' || raw === null) throw new UserError('BUILD_ATTRS', `${file}: expected a layer spec object`);
  const r = raw as Record<string, unknown>;
  const maxLayers = r.maxLayers ?? 1;
  if (typeof maxLayers !== 'number' || !Number.isInteger(maxLayers) || maxLayers < 1)
    throw new UserError('INVALID_CONFIG', `maxLayers must be a positive integer, got ${JSON.stringify(maxLayers)}`);
  if (maxLayers > MAX_LAYERS_HARD) throw new UserError('TOO_MANY_LAYERS', `maxLayers = ${maxLayers} is more than ${MAX_LAYERS_HARD}, the most layers Docker can run; use at most ${MAX_LAYERS_SOFT}`);
  const strategy = r.strategy ?? 'size';
  if (strategy !== 'size' && strategy !== 'popularity') throw new UserError('INVALID_CONFIG', `layering strategy must be "size" or "popularity", got ${JSON.stringify(strategy)}`);
  return {
    deps: asList(r.deps),
    copyToRoot: asList(r.copyToRoot),
    ignore: asList(r.ignore),
    layers: asList(r.layers),
    perms: (Array.isArray(r.perms) ? r.perms : []) as PermRule[],
    maxLayers,
    strategy,
    metadata: (typeof r.metadata === 'object' && r.metadata ? r.metadata : {}) as LayerRecord['history'],
    entries: (Array.isArray(r.entries) ? r.entries : []) as DeclaredEntry[],
  };
}

/** Apparent size of a store path (files' bytes), which is what layer sizes follow. */
export function pathSize(p: string): number {
  const st = lstatSync(p);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const e of readdirSync(p, { withFileTypes: true })) {
    total += e.isDirectory() ? pathSize(join(p, e.name)) : e.isFile() ? lstatSync(join(p, e.name)).size : 0;
  }
  return total;
}

export interface BuildLayersResult {
  layers: LayerRecord[];
}

export async function buildLayers(
  spec: LayerSpec,
  graphNodesList: GraphNode[],
  log: (m: string) => void = () => {},
  entryUrl?: string, // the bundled CLI, to run digest workers from
): Promise<BuildLayersResult> {
  // Layers given in `layers` come first, with everything they hold excluded from ours.
  const nested: LayerRecord[] = [];
  const seenDigest = new Set<string>();
  const excluded = new Set<string>();
  for (const f of spec.layers) {
    for (const l of loadLayersFile(f).layers) {
      for (const p of l.paths) excluded.add(p);
      if (!seenDigest.has(l.digest)) {
        seenDigest.add(l.digest);
        nested.push(l);
      }
    }
  }
  const graph = graphFromNodes(graphNodesList);
  const ignore = new Set(spec.ignore);
  const seeds = [...spec.deps, ...spec.copyToRoot];
  const closure = new Set(closureOf(graph, seeds).filter((p) => !ignore.has(p) && !excluded.has(p)));
  // The application: what was asked for directly (an ignored dep stands for its references).
  const roots = new Set<string>();
  for (const s of seeds) {
    if (!ignore.has(s)) roots.add(s);
    else for (const r of graph.refs.get(s) ?? []) roots.add(r);
  }
  const rootList = [...roots].filter((p) => closure.has(p)).sort();

  const sizes = graph.sizes;
  let groups: string[][] =
    spec.strategy === 'popularity'
      ? popularityLayers(graph, rootList, closure, spec.maxLayers)
      : sizeAwareLayers(graph, rootList, closure, sizes, spec.maxLayers);
  const hasExtras = spec.copyToRoot.length > 0 || spec.entries.length > 0;
  if (groups.length === 0 && hasExtras) groups = [[]];
  const total = nested.length + groups.length;
  if (total > MAX_LAYERS_HARD)
    throw new UserError('TOO_MANY_LAYERS', `this would make ${total} layers (${nested.length} from "layers", ${groups.length} of its own); Docker refuses more than ${MAX_LAYERS_HARD}. Lower maxLayers.`);
  // copyToRoot contents and declared entries live with the application, in the top layer.
  const contents = groups.map((paths, i) => ({
    paths: [...paths].sort(),
    copyToRoot: i === groups.length - 1 ? [...spec.copyToRoot].sort() : [],
    perms: spec.perms,
    entries: i === groups.length - 1 ? spec.entries : [],
  }));
  const t0 = Date.now();
  const digests = await digestLayers(contents, entryUrl);
  log(`digested ${contents.length} layer(s) in ${Date.now() - t0} ms on ${Math.min(availableParallelism(), contents.length)} threads`);
  const own = contents.map((c, i) => {
    const r = digests[i];
    log(`layer ${i + 1}/${contents.length}: ${r.diffID} ${r.size} bytes, ${c.paths.length} store paths`);
    const rec: LayerRecord = {
      mediaType: MEDIA_TYPE_LAYER_TAR,
      digest: r.diffID,
      size: r.size,
      diffID: r.diffID,
      ...c,
      perms: c.perms.filter((p) => c.paths.includes(p.path) || c.copyToRoot.includes(p.path)),
      sources: r.sources,
      history: { created_by: 'longshore', ...spec.metadata },
      writer: WRITER_VERSION,
    };
    return rec;
  });
  return { layers: [...nested, ...own.filter((l) => !seenDigest.has(l.digest))] };
}

export async function buildLayersCommand(args: { attrs?: string; entryUrl?: string }): Promise<void> {
  const a = readNixAttrs(args.attrs);
  const spec = parseLayerSpec(a.attrs.spec, a.file);
  const { layers } = await buildLayers(spec, graphNodes(a, 'closure'), (m) => process.stderr.write(m + '\n'), args.entryUrl);
  writeFileSync(a.out, JSON.stringify({ version: FORMAT_VERSION, layers }, null, 1) + '\n');
}
