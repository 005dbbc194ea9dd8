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
import { count, humanBytes } from '../util/human.js';
import { fsPath, nameFromBytes } from '../util/names.js';

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
  /** buildImage's initializeNixDatabase: warn about what changes a store path the database registers. */
  nixDatabase: boolean;
}

const asList = (v: unknown): string[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function parseLayerSpec(raw: unknown, file: string): LayerSpec {
  if (typeof raw !== 'object' || raw === null) throw new UserError('BUILD_ATTRS', `${file}: expected a layer spec object`);
  const r = raw as Record<string, unknown>;
  const maxLayers = r.maxLayers ?? 1;
  if (typeof maxLayers !== 'number' || !Number.isInteger(maxLayers) || maxLayers < 1)
    throw new UserError('INVALID_CONFIG', `maxLayers must be a positive integer, got ${JSON.stringify(maxLayers)}`);
  if (maxLayers > MAX_LAYERS_HARD) throw new UserError('TOO_MANY_LAYERS', `maxLayers = ${maxLayers} is more than ${MAX_LAYERS_HARD}, the most layers an image Docker runs may have`, `use ${MAX_LAYERS_SOFT} or fewer, which leaves room for fromImage's and \`layers\`' layers`);
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
    nixDatabase: r.nixDatabase === true,
  };
}

/** Apparent size of a store path (files' bytes), which is what layer sizes follow. */
export function pathSize(p: string): number {
  const st = lstatSync(fsPath(p));
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const e of readdirSync(fsPath(p), { withFileTypes: true, encoding: 'buffer' })) {
    const child = join(p, nameFromBytes(e.name));
    total += e.isDirectory() ? pathSize(child) : e.isFile() ? lstatSync(fsPath(child)).size : 0;
  }
  return total;
}

/** Where an image's layers come from, to say which argument made too many. */
export interface LayerCounts {
  /** "the image" or "this buildLayer" */
  subject: string;
  fromImage?: { count: number; reference: string };
  /** Layers taken from `layers` (buildLayer results), and how many results gave them. */
  layers: number;
  layersResults: number;
  own: number;
  maxLayers: number;
}

/** More layers than Docker runs: how many come from which argument, and what would bring them down. */
export function tooManyLayers(c: LayerCounts): UserError {
  const base = c.fromImage?.count ?? 0;
  const total = base + c.layers + c.own;
  const excess = total - MAX_LAYERS_HARD;
  const parts: { arg: string; count: number; text: string }[] = [];
  if (c.fromImage) parts.push({ arg: 'fromImage', count: base, text: `${base} from fromImage (${c.fromImage.reference})` });
  if (c.layers > 0 || c.layersResults > 0)
    parts.push({ arg: '`layers`', count: c.layers, text: `${c.layers} from \`layers\` (${c.layersResults} buildLayer result${c.layersResults === 1 ? '' : 's'})` });
  parts.push({ arg: 'its own maxLayers', count: c.own, text: `${c.own} of its own (maxLayers = ${c.maxLayers})` });
  const most = parts.reduce((a, b) => (b.count > a.count ? b : a));
  const fixes: string[] = [];
  if (c.own - 1 >= excess) fixes.push(`lower maxLayers to ${c.own - excess} or less`);
  if (c.layers > 1) fixes.push('give `layers` fewer buildLayer results, or build them with a lower maxLayers (one buildLayer may hold many deps)');
  if (base > 1 && excess > c.own - 1 + Math.max(0, c.layers - 1)) fixes.push(`use a base image with fewer layers (fromImage has ${base})`);
  if (fixes.length === 0) fixes.push('lower maxLayers, give `layers` fewer buildLayer results, or use a base image with fewer layers');
  return new UserError(
    'TOO_MANY_LAYERS',
    `${c.subject} would have ${total} layers, and Docker refuses more than ${MAX_LAYERS_HARD}: ${parts.map((p) => p.text).join(', ')}; most come from ${most.arg}`,
    `${fixes.join('; or ')} (aim for at most ${MAX_LAYERS_SOFT} layers in all)`,
  );
}

const storePathOf = (p: string): string | undefined => /^\/nix\/store\/[^/]+/.exec(p)?.[0];

/**
 * With initializeNixDatabase, what changes a store path the image's Nix database registers as Nix
 * built it: perms rules on a plain dependency, and declared entries inside a store path. They still
 * apply (as in nix2container), but `nix-store --verify --check-contents` in the image may then report
 * the path modified, so the build says which rule or declaration it is.
 */
export function storeCopyWarnings(spec: LayerSpec, nested: LayerRecord[], own: LayerRecord[]): string[] {
  // A declared entry lies over every layer below it; a rule applies only within its own layers.
  const inImage = new Set([...nested, ...own].flatMap((l) => l.paths));
  const inOwn = new Set(own.flatMap((l) => l.paths));
  const out: string[] = [];
  const consequence = 'which the Nix database of initializeNixDatabase registers as Nix built it: nix-store --verify --check-contents inside the image will report it "modified" where a file\'s executable bit or the path\'s entries change';
  const roots = new Set(spec.copyToRoot);
  spec.perms.forEach((p, i) => {
    if (roots.has(p.path) || !inOwn.has(p.path)) return;
    out.push(`perms[${i}] (path ${p.path}, regex ${JSON.stringify(p.regex ?? '.*')}) changes the store copy of ${p.path}, ${consequence}; to change only a copy at /, give that path in copyToRoot`);
  });
  for (const l of nested)
    for (const p of l.perms)
      if (p.scope !== 'root' && l.paths.includes(p.path))
        out.push(`a perms rule of a buildLayer in \`layers\` (path ${p.path}, regex ${JSON.stringify(p.regex ?? '.*')}) changes the store copy of ${p.path}, ${consequence}`);
  const declared = [...spec.entries.map((d, i) => ({ d, what: d.by ?? `declared entry ${i}` })), ...nested.flatMap((l) => l.entries.map((d) => ({ d, what: `${d.by ?? 'a declared entry'} of a buildLayer in \`layers\`` })))];
  for (const { d, what } of declared) {
    const sp = typeof d.path === 'string' ? storePathOf(d.path) : undefined;
    if (sp && inImage.has(sp)) out.push(`${what} (${d.path}) lands inside store path ${sp}, ${consequence}; declare a path outside /nix/store`);
  }
  return out;
}

export interface BuildLayersResult {
  layers: LayerRecord[];
  /** How many of `layers` came from `layers` (the first ones) and how many are this build's own. */
  counts: LayerCounts;
}

export async function buildLayers(
  spec: LayerSpec,
  graphNodesList: GraphNode[],
  log: (m: string) => void = () => {},
  entryUrl?: string, // the bundled CLI, to run digest workers from
  opts: { subject?: string; fromImage?: LayerCounts['fromImage'] } = {},
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
  const counts = (own: number): LayerCounts => ({
    subject: opts.subject ?? 'the image',
    ...(opts.fromImage ? { fromImage: opts.fromImage } : {}),
    layers: nested.length,
    layersResults: spec.layers.length,
    own,
    maxLayers: spec.maxLayers,
  });
  // Decided on what this build makes (a base layer equal to one of these would count once); the
  // message counts fromImage too. assembleImage checks the whole image again.
  if (nested.length + groups.length > MAX_LAYERS_HARD) throw tooManyLayers(counts(groups.length));
  // A rule on a copyToRoot entry changes its copy at / only: the store copy stays as Nix made it.
  const copyRoots = new Set(spec.copyToRoot);
  const perms: PermRule[] = spec.perms.map((p) => (copyRoots.has(p.path) ? { ...p, scope: 'root' } : p));
  // copyToRoot contents and declared entries live with the application, in the top layer.
  const contents = groups.map((paths, i) => ({
    paths: [...paths].sort(),
    copyToRoot: i === groups.length - 1 ? [...spec.copyToRoot].sort() : [],
    perms,
    entries: i === groups.length - 1 ? spec.entries : [],
  }));
  const t0 = Date.now();
  const digests = await digestLayers(contents, entryUrl);
  if (contents.length > 0) log(`digested ${count(contents.length, 'layer')} in ${Date.now() - t0} ms on ${count(Math.min(availableParallelism(), contents.length), 'thread')}`);
  const own = contents.map((c, i) => {
    const r = digests[i];
    log(`layer ${i + 1}/${contents.length}: ${r.diffID} ${humanBytes(r.size)}, ${count(c.paths.length, 'store path')}`);
    const rec: LayerRecord = {
      mediaType: MEDIA_TYPE_LAYER_TAR,
      digest: r.diffID,
      size: r.size,
      diffID: r.diffID,
      ...c,
      perms: c.perms.filter((p) => c.copyToRoot.includes(p.path) || (p.scope !== 'root' && c.paths.includes(p.path))),
      sources: r.sources,
      history: { created_by: 'longshore', ...spec.metadata },
      writer: WRITER_VERSION,
    };
    return rec;
  });
  const kept = own.filter((l) => !seenDigest.has(l.digest));
  if (spec.nixDatabase) for (const w of storeCopyWarnings(spec, nested, kept)) log(`longshore: warning: ${w}`);
  return { layers: [...nested, ...kept], counts: counts(kept.length) };
}

export async function buildLayersCommand(args: { attrs?: string; entryUrl?: string }): Promise<void> {
  const a = readNixAttrs(args.attrs);
  const spec = parseLayerSpec(a.attrs.spec, a.file);
  const { layers } = await buildLayers(spec, graphNodes(a, 'closure'), (m) => process.stderr.write(m + '\n'), args.entryUrl, { subject: 'this buildLayer' });
  writeFileSync(a.out, JSON.stringify({ version: FORMAT_VERSION, layers }, null, 1) + '\n');
}
