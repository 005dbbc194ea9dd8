import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  digestLayers
} from "./chunk-6AOV2EEE.mjs";
import {
  WRITER_VERSION
} from "./chunk-XTL6BLDV.mjs";
import {
  fsPath,
  nameFromBytes
} from "./chunk-U7P74N4L.mjs";
import {
  FORMAT_VERSION,
  loadLayersFile
} from "./chunk-SNDITNA7.mjs";
import {
  graphNodes,
  readNixAttrs
} from "./chunk-OWDD4U2F.mjs";
import {
  MEDIA_TYPE_LAYER_TAR
} from "./chunk-AYVEAJJV.mjs";
import {
  count,
  humanBytes
} from "./chunk-TF6H54TZ.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/commands/build-layers.ts
import { lstatSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// src/layering/graph.ts
function graphFromNodes(nodes) {
  const g = { refs: /* @__PURE__ */ new Map(), sizes: /* @__PURE__ */ new Map() };
  for (const n of nodes) {
    g.refs.set(n.path, n.references.filter((r) => r !== n.path));
    g.sizes.set(n.path, n.narSize);
  }
  return g;
}
function closureOf(g, roots) {
  const seen = /* @__PURE__ */ new Set();
  const stack = [...roots].reverse();
  while (stack.length) {
    const p = stack.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    const refs = g.refs.get(p);
    if (!refs) throw new UserError("BUILD_ATTRS", `store path ${p} is not in the closure graph; was it passed through exportReferencesGraph?`);
    for (const r of [...refs].sort().reverse()) if (!seen.has(r)) stack.push(r);
  }
  return [...seen].sort();
}

// src/layering/popularity.ts
function popularityOrder(g, roots, paths) {
  const count2 = /* @__PURE__ */ new Map();
  const order = [];
  const state = /* @__PURE__ */ new Map();
  const visit = (p) => {
    if (state.get(p)) return;
    state.set(p, 1);
    for (const r of [...g.refs.get(p) ?? []].sort()) visit(r);
    state.set(p, 2);
    order.push(p);
  };
  for (const r of [...roots].sort()) visit(r);
  order.reverse();
  for (const r of roots) count2.set(r, (count2.get(r) ?? 0) + 1);
  for (const p of order) {
    const c = count2.get(p) ?? 0;
    for (const r of g.refs.get(p) ?? []) count2.set(r, (count2.get(r) ?? 0) + c);
  }
  return order.filter((p) => paths.has(p)).sort((a, b) => count2.get(b) - count2.get(a) || (a < b ? -1 : a > b ? 1 : 0));
}
function popularityLayers(g, roots, paths, maxLayers) {
  const ranked = popularityOrder(g, roots, paths);
  if (ranked.length === 0) return [];
  const own = ranked.slice(0, Math.max(0, maxLayers - 1)).map((p) => [p]);
  const rest = ranked.slice(Math.max(0, maxLayers - 1));
  return rest.length ? [...own, rest] : own;
}

// src/layering/size.ts
function sizeAwareLayers(g, roots, paths, sizes, maxLayers) {
  const all = [...paths].sort();
  if (all.length === 0) return [];
  if (maxLayers <= 1) return [all];
  const top = all.filter((p) => roots.includes(p));
  const stable = all.filter((p) => !roots.includes(p));
  if (stable.length === 0) return [top];
  const budget = maxLayers - (top.length ? 1 : 0);
  const below = /* @__PURE__ */ new Map();
  const desc = (p) => {
    let s = below.get(p);
    if (s) return s;
    s = /* @__PURE__ */ new Set([p]);
    below.set(p, s);
    for (const r of g.refs.get(p) ?? []) if (paths.has(r) && !roots.includes(r)) for (const x of desc(r)) s.add(x);
    return s;
  };
  const bySize = [...stable].sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0) || (a < b ? -1 : 1));
  const group = (primaries) => {
    const prim = new Set(primaries);
    const keyOf = /* @__PURE__ */ new Map();
    for (const p of stable) {
      if (prim.has(p)) continue;
      const key = primaries.filter((q) => desc(q).has(p)).join("|");
      keyOf.set(p, key);
    }
    const groups = /* @__PURE__ */ new Map();
    for (const [p, k] of keyOf) groups.set(k, [...groups.get(k) ?? [], p]);
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
  const layerSize = (l) => l.reduce((a, p) => a + (sizes.get(p) ?? 0), 0);
  best = best.map((l) => l.sort()).sort((a, b) => layerSize(b) - layerSize(a) || (a[0] < b[0] ? -1 : 1));
  return top.length ? [...best, top] : best;
}

// src/commands/build-layers.ts
import { availableParallelism } from "node:os";
var MAX_LAYERS_HARD = 125;
var MAX_LAYERS_SOFT = 100;
var asList = (v) => v === null || v === void 0 ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
function parseLayerSpec(raw, file) {
  if (typeof raw !== "object" || raw === null) throw new UserError("BUILD_ATTRS", `${file}: expected a layer spec object`);
  const r = raw;
  const maxLayers = r.maxLayers ?? 1;
  if (typeof maxLayers !== "number" || !Number.isInteger(maxLayers) || maxLayers < 1)
    throw new UserError("INVALID_CONFIG", `maxLayers must be a positive integer, got ${JSON.stringify(maxLayers)}`);
  if (maxLayers > MAX_LAYERS_HARD) throw new UserError("TOO_MANY_LAYERS", `maxLayers = ${maxLayers} is more than ${MAX_LAYERS_HARD}, the most layers an image Docker runs may have`, `use ${MAX_LAYERS_SOFT} or fewer, which leaves room for fromImage's and \`layers\`' layers`);
  const strategy = r.strategy ?? "size";
  if (strategy !== "size" && strategy !== "popularity") throw new UserError("INVALID_CONFIG", `layering strategy must be "size" or "popularity", got ${JSON.stringify(strategy)}`);
  return {
    deps: asList(r.deps),
    copyToRoot: asList(r.copyToRoot),
    ignore: asList(r.ignore),
    layers: asList(r.layers),
    perms: Array.isArray(r.perms) ? r.perms : [],
    maxLayers,
    strategy,
    metadata: typeof r.metadata === "object" && r.metadata ? r.metadata : {},
    entries: Array.isArray(r.entries) ? r.entries : [],
    nixDatabase: r.nixDatabase === true
  };
}
function pathSize(p) {
  const st = lstatSync(fsPath(p));
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const e of readdirSync(fsPath(p), { withFileTypes: true, encoding: "buffer" })) {
    const child = join(p, nameFromBytes(e.name));
    total += e.isDirectory() ? pathSize(child) : e.isFile() ? lstatSync(fsPath(child)).size : 0;
  }
  return total;
}
function tooManyLayers(c) {
  const base = c.fromImage?.count ?? 0;
  const total = base + c.layers + c.own;
  const excess = total - MAX_LAYERS_HARD;
  const parts = [];
  if (c.fromImage) parts.push({ arg: "fromImage", count: base, text: `${base} from fromImage (${c.fromImage.reference})` });
  if (c.layers > 0 || c.layersResults > 0)
    parts.push({ arg: "`layers`", count: c.layers, text: `${c.layers} from \`layers\` (${c.layersResults} buildLayer result${c.layersResults === 1 ? "" : "s"})` });
  parts.push({ arg: "its own maxLayers", count: c.own, text: `${c.own} of its own (maxLayers = ${c.maxLayers})` });
  const most = parts.reduce((a, b) => b.count > a.count ? b : a);
  const fixes = [];
  if (c.own - 1 >= excess) fixes.push(`lower maxLayers to ${c.own - excess} or less`);
  if (c.layers > 1) fixes.push("give `layers` fewer buildLayer results, or build them with a lower maxLayers (one buildLayer may hold many deps)");
  if (base > 1 && excess > c.own - 1 + Math.max(0, c.layers - 1)) fixes.push(`use a base image with fewer layers (fromImage has ${base})`);
  if (fixes.length === 0) fixes.push("lower maxLayers, give `layers` fewer buildLayer results, or use a base image with fewer layers");
  return new UserError(
    "TOO_MANY_LAYERS",
    `${c.subject} would have ${total} layers, and Docker refuses more than ${MAX_LAYERS_HARD}: ${parts.map((p) => p.text).join(", ")}; most come from ${most.arg}`,
    `${fixes.join("; or ")} (aim for at most ${MAX_LAYERS_SOFT} layers in all)`
  );
}
var storePathOf = (p) => /^\/nix\/store\/[^/]+/.exec(p)?.[0];
function storeCopyWarnings(spec, nested, own) {
  const inImage = new Set([...nested, ...own].flatMap((l) => l.paths));
  const inOwn = new Set(own.flatMap((l) => l.paths));
  const out = [];
  const consequence = `which the Nix database of initializeNixDatabase registers as Nix built it: nix-store --verify --check-contents inside the image will report it "modified" where a file's executable bit or the path's entries change`;
  const roots = new Set(spec.copyToRoot);
  spec.perms.forEach((p, i) => {
    if (roots.has(p.path) || !inOwn.has(p.path)) return;
    out.push(`perms[${i}] (path ${p.path}, regex ${JSON.stringify(p.regex ?? ".*")}) changes the store copy of ${p.path}, ${consequence}; to change only a copy at /, give that path in copyToRoot`);
  });
  for (const l of nested)
    for (const p of l.perms)
      if (p.scope !== "root" && l.paths.includes(p.path))
        out.push(`a perms rule of a buildLayer in \`layers\` (path ${p.path}, regex ${JSON.stringify(p.regex ?? ".*")}) changes the store copy of ${p.path}, ${consequence}`);
  const declared = [...spec.entries.map((d, i) => ({ d, what: d.by ?? `declared entry ${i}` })), ...nested.flatMap((l) => l.entries.map((d) => ({ d, what: `${d.by ?? "a declared entry"} of a buildLayer in \`layers\`` })))];
  for (const { d, what } of declared) {
    const sp = typeof d.path === "string" ? storePathOf(d.path) : void 0;
    if (sp && inImage.has(sp)) out.push(`${what} (${d.path}) lands inside store path ${sp}, ${consequence}; declare a path outside /nix/store`);
  }
  return out;
}
async function buildLayers(spec, graphNodesList, log = () => {
}, entryUrl, opts = {}) {
  const nested = [];
  const seenDigest = /* @__PURE__ */ new Set();
  const excluded = /* @__PURE__ */ new Set();
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
  const roots = /* @__PURE__ */ new Set();
  for (const s of seeds) {
    if (!ignore.has(s)) roots.add(s);
    else for (const r of graph.refs.get(s) ?? []) roots.add(r);
  }
  const rootList = [...roots].filter((p) => closure.has(p)).sort();
  const sizes = graph.sizes;
  let groups = spec.strategy === "popularity" ? popularityLayers(graph, rootList, closure, spec.maxLayers) : sizeAwareLayers(graph, rootList, closure, sizes, spec.maxLayers);
  const hasExtras = spec.copyToRoot.length > 0 || spec.entries.length > 0;
  if (groups.length === 0 && hasExtras) groups = [[]];
  const counts = (own2) => ({
    subject: opts.subject ?? "the image",
    ...opts.fromImage ? { fromImage: opts.fromImage } : {},
    layers: nested.length,
    layersResults: spec.layers.length,
    own: own2,
    maxLayers: spec.maxLayers
  });
  if (nested.length + groups.length > MAX_LAYERS_HARD) throw tooManyLayers(counts(groups.length));
  const copyRoots = new Set(spec.copyToRoot);
  const perms = spec.perms.map((p) => copyRoots.has(p.path) ? { ...p, scope: "root" } : p);
  const contents = groups.map((paths, i) => ({
    paths: [...paths].sort(),
    copyToRoot: i === groups.length - 1 ? [...spec.copyToRoot].sort() : [],
    perms,
    entries: i === groups.length - 1 ? spec.entries : []
  }));
  const t0 = Date.now();
  const digests = await digestLayers(contents, entryUrl);
  if (contents.length > 0) log(`digested ${count(contents.length, "layer")} in ${Date.now() - t0} ms on ${count(Math.min(availableParallelism(), contents.length), "thread")}`);
  const own = contents.map((c, i) => {
    const r = digests[i];
    log(`layer ${i + 1}/${contents.length}: ${r.diffID} ${humanBytes(r.size)}, ${count(c.paths.length, "store path")}`);
    const rec = {
      mediaType: MEDIA_TYPE_LAYER_TAR,
      digest: r.diffID,
      size: r.size,
      diffID: r.diffID,
      ...c,
      perms: c.perms.filter((p) => c.copyToRoot.includes(p.path) || p.scope !== "root" && c.paths.includes(p.path)),
      sources: r.sources,
      history: { created_by: "longshore", ...spec.metadata },
      writer: WRITER_VERSION
    };
    return rec;
  });
  const kept = own.filter((l) => !seenDigest.has(l.digest));
  if (spec.nixDatabase) for (const w of storeCopyWarnings(spec, nested, kept)) log(`longshore: warning: ${w}`);
  return { layers: [...nested, ...kept], counts: counts(kept.length) };
}
async function buildLayersCommand(args) {
  const a = readNixAttrs(args.attrs);
  const spec = parseLayerSpec(a.attrs.spec, a.file);
  const { layers } = await buildLayers(spec, graphNodes(a, "closure"), (m) => process.stderr.write(m + "\n"), args.entryUrl, { subject: "this buildLayer" });
  writeFileSync(a.out, JSON.stringify({ version: FORMAT_VERSION, layers }, null, 1) + "\n");
}

export {
  MAX_LAYERS_HARD,
  MAX_LAYERS_SOFT,
  parseLayerSpec,
  pathSize,
  tooManyLayers,
  storeCopyWarnings,
  buildLayers,
  buildLayersCommand
};
