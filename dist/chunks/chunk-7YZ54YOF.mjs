import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  digestLayers
} from "./chunk-KYI6XPG2.mjs";
import {
  WRITER_VERSION
} from "./chunk-KSQWRWNM.mjs";
import {
  FORMAT_VERSION,
  loadLayersFile
} from "./chunk-IL7AU26K.mjs";
import {
  graphNodes,
  readNixAttrs
} from "./chunk-OWDD4U2F.mjs";
import {
  MEDIA_TYPE_LAYER_TAR
} from "./chunk-CIGM6B6C.mjs";
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
  const count = /* @__PURE__ */ new Map();
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
  for (const r of roots) count.set(r, (count.get(r) ?? 0) + 1);
  for (const p of order) {
    const c = count.get(p) ?? 0;
    for (const r of g.refs.get(p) ?? []) count.set(r, (count.get(r) ?? 0) + c);
  }
  return order.filter((p) => paths.has(p)).sort((a, b) => count.get(b) - count.get(a) || (a < b ? -1 : a > b ? 1 : 0));
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
  if (maxLayers > MAX_LAYERS_HARD) throw new UserError("TOO_MANY_LAYERS", `maxLayers = ${maxLayers} is more than ${MAX_LAYERS_HARD}, the most layers Docker can run; use at most ${MAX_LAYERS_SOFT}`);
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
    entries: Array.isArray(r.entries) ? r.entries : []
  };
}
function pathSize(p) {
  const st = lstatSync(p);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const e of readdirSync(p, { withFileTypes: true })) {
    total += e.isDirectory() ? pathSize(join(p, e.name)) : e.isFile() ? lstatSync(join(p, e.name)).size : 0;
  }
  return total;
}
async function buildLayers(spec, graphNodesList, log = () => {
}, entryUrl) {
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
  const total = nested.length + groups.length;
  if (total > MAX_LAYERS_HARD)
    throw new UserError("TOO_MANY_LAYERS", `this would make ${total} layers (${nested.length} from "layers", ${groups.length} of its own); Docker refuses more than ${MAX_LAYERS_HARD}. Lower maxLayers.`);
  const contents = groups.map((paths, i) => ({
    paths: [...paths].sort(),
    copyToRoot: i === groups.length - 1 ? [...spec.copyToRoot].sort() : [],
    perms: spec.perms,
    entries: i === groups.length - 1 ? spec.entries : []
  }));
  const t0 = Date.now();
  const digests = await digestLayers(contents, entryUrl);
  log(`digested ${contents.length} layer(s) in ${Date.now() - t0} ms on ${Math.min(availableParallelism(), contents.length)} threads`);
  const own = contents.map((c, i) => {
    const r = digests[i];
    log(`layer ${i + 1}/${contents.length}: ${r.diffID} ${r.size} bytes, ${c.paths.length} store paths`);
    const rec = {
      mediaType: MEDIA_TYPE_LAYER_TAR,
      digest: r.diffID,
      size: r.size,
      diffID: r.diffID,
      ...c,
      perms: c.perms.filter((p) => c.paths.includes(p.path) || c.copyToRoot.includes(p.path)),
      sources: r.sources,
      history: { created_by: "longshore", ...spec.metadata },
      writer: WRITER_VERSION
    };
    return rec;
  });
  return { layers: [...nested, ...own.filter((l) => !seenDigest.has(l.digest))] };
}
async function buildLayersCommand(args) {
  const a = readNixAttrs(args.attrs);
  const spec = parseLayerSpec(a.attrs.spec, a.file);
  const { layers } = await buildLayers(spec, graphNodes(a, "closure"), (m) => process.stderr.write(m + "\n"), args.entryUrl);
  writeFileSync(a.out, JSON.stringify({ version: FORMAT_VERSION, layers }, null, 1) + "\n");
}

export {
  MAX_LAYERS_HARD,
  MAX_LAYERS_SOFT,
  parseLayerSpec,
  pathSize,
  buildLayers,
  buildLayersCommand
};
