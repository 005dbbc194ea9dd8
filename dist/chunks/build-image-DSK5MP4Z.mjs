import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  LEVELS
} from "./chunk-K6OKN5C2.mjs";
import {
  MAX_LAYERS_HARD,
  buildLayers,
  parseLayerSpec,
  tooManyLayers
} from "./chunk-C4ZJV6OK.mjs";
import "./chunk-6AOV2EEE.mjs";
import "./chunk-VA3PXKDB.mjs";
import "./chunk-YUS43JPM.mjs";
import "./chunk-XTL6BLDV.mjs";
import "./chunk-U7P74N4L.mjs";
import {
  FORMAT_VERSION,
  loadLayersFile
} from "./chunk-SNDITNA7.mjs";
import {
  graphNodes,
  readNixAttrs
} from "./chunk-OWDD4U2F.mjs";
import {
  checkTag,
  parseName
} from "./chunk-JO7HQLJM.mjs";
import "./chunk-477LFGEH.mjs";
import {
  COMPRESSIONS
} from "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import {
  editDistance
} from "./chunk-TF6H54TZ.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/commands/build-image.ts
import { writeFileSync } from "node:fs";

// src/image/config.ts
var KEYS = {
  User: "string",
  ExposedPorts: "set",
  Env: "env",
  Entrypoint: "strings",
  Cmd: "strings",
  Volumes: "set",
  WorkingDir: "string",
  Labels: "labels",
  StopSignal: "string",
  ArgsEscaped: "bool",
  Memory: "int",
  MemorySwap: "int",
  CpuShares: "int",
  Healthcheck: "object",
  OnBuild: "strings",
  Shell: "strings",
  StopTimeout: "int"
};
var ALIASES = {
  environment: "Env",
  envs: "Env",
  environ: "Env",
  workdir: "WorkingDir",
  cwd: "WorkingDir",
  ports: "ExposedPorts",
  expose: "ExposedPorts",
  volume: "Volumes",
  label: "Labels",
  command: "Cmd",
  entrypoints: "Entrypoint",
  cmds: "Cmd",
  stopsignal: "StopSignal"
};
var byLower = new Map(Object.keys(KEYS).map((k) => [k.toLowerCase(), k]));
function closest(key) {
  const lower = key.toLowerCase().replace(/[_-]/g, "");
  if (ALIASES[lower]) return ALIASES[lower];
  let best = "Env";
  let bestD = Infinity;
  for (const k of Object.keys(KEYS)) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}
var PORT_RE = /^[0-9]{1,5}(\/(tcp|udp|sctp))?$/;
function bad(key, msg) {
  throw new UserError("INVALID_CONFIG", `config.${key}: ${msg}`);
}
function checkValue(key, kind, v) {
  switch (kind) {
    case "string":
      if (typeof v !== "string") bad(key, `expected a string, got ${JSON.stringify(v)}`);
      return v;
    case "strings":
      if (typeof v === "string") bad(key, `expected a list of strings, got the string ${JSON.stringify(v)}; write [ ${JSON.stringify(v)} ]`);
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) bad(key, `expected a list of strings, got ${JSON.stringify(v)}`);
      return v;
    case "env": {
      if (!Array.isArray(v)) bad(key, `expected a list of "NAME=value" strings, got ${JSON.stringify(v)}`);
      v.forEach((x, i) => {
        if (typeof x !== "string" || !/^[^=]+=/.test(x)) bad(`${key}[${i}]`, `expected "NAME=value", got ${JSON.stringify(x)}`);
      });
      return v;
    }
    case "set": {
      const names = Array.isArray(v) ? v : typeof v === "object" && v !== null ? Object.keys(v) : bad(key, `expected an object like {"80/tcp": {}} or a list, got ${JSON.stringify(v)}`);
      if (!Array.isArray(v) && Object.values(v).some((x) => typeof x !== "object" || x === null || Array.isArray(x) || Object.keys(x).length > 0))
        bad(key, 'values must be empty objects ({}), as in {"80/tcp": {}}');
      const out = {};
      for (const n of names) {
        if (typeof n !== "string") bad(key, `entries must be strings, got ${JSON.stringify(n)}`);
        if (key === "ExposedPorts") {
          if (!PORT_RE.test(n) || Number(n.split("/")[0]) > 65535) bad(key, `${JSON.stringify(n)} is not a port like "8080/tcp", "53/udp" or "80"`);
        } else if (!n.startsWith("/")) bad(key, `${JSON.stringify(n)} must be an absolute path`);
        out[n] = {};
      }
      return out;
    }
    case "labels": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) bad(key, `expected an attribute set of strings, got ${JSON.stringify(v)}`);
      for (const [k, x] of Object.entries(v)) if (typeof x !== "string") bad(`${key}.${k}`, `expected a string, got ${JSON.stringify(x)}`);
      return v;
    }
    case "bool":
      if (typeof v !== "boolean") bad(key, `expected true or false, got ${JSON.stringify(v)}`);
      return v;
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) bad(key, `expected an integer, got ${JSON.stringify(v)}`);
      return v;
    case "object":
      if (typeof v !== "object" || v === null || Array.isArray(v)) bad(key, `expected an object, got ${JSON.stringify(v)}`);
      return v;
  }
}
function normaliseConfig(raw) {
  if (raw === null || raw === void 0) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new UserError("INVALID_CONFIG", `config: expected an attribute set, got ${JSON.stringify(raw)}`);
  const seen = /* @__PURE__ */ new Map();
  const out = {};
  for (const [key, value] of Object.entries(raw)) {
    const canon = byLower.get(key.toLowerCase());
    if (!canon) throw new UserError("INVALID_CONFIG", `config: unknown key "${key}"; did you mean "${closest(key)}"? Valid keys: ${Object.keys(KEYS).join(", ")}`);
    if (seen.has(canon)) throw new UserError("INVALID_CONFIG", `config: "${key}" and "${seen.get(canon)}" are the same key (${canon}); keep one`);
    seen.set(canon, key);
    if (value === null) continue;
    out[canon] = checkValue(canon, KEYS[canon], value);
  }
  const ordered = {};
  for (const k of Object.keys(KEYS)) if (k in out) ordered[k] = out[k];
  return ordered;
}

// src/image/base.ts
var INHERITED = ["User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal", "ArgsEscaped", "Memory", "MemorySwap", "CpuShares", "Healthcheck", "Shell", "StopTimeout"];
var MAPS = /* @__PURE__ */ new Set(["ExposedPorts", "Volumes", "Labels"]);
var envName = (e) => e.slice(0, e.indexOf("=") >= 0 ? e.indexOf("=") : e.length);
function mergeEnv(base, user) {
  const userByName = new Map(user.map((e) => [envName(e), e]));
  const out = base.map((e) => userByName.get(envName(e)) ?? e);
  const have = new Set(base.map(envName));
  for (const e of user) if (!have.has(envName(e))) out.push(e);
  const seen = /* @__PURE__ */ new Map();
  out.forEach((e, i) => seen.set(envName(e), i));
  return out.filter((e, i) => seen.get(envName(e)) === i);
}
function mergeBaseConfig(baseRaw, user) {
  const merged = {};
  for (const k of INHERITED) {
    const b = baseRaw[k];
    if (b === null || b === void 0) continue;
    if (MAPS.has(k) && (typeof b !== "object" || Array.isArray(b))) continue;
    merged[k] = b;
  }
  if (user.Entrypoint !== void 0 && user.Cmd === void 0) delete merged.Cmd;
  for (const [k, v] of Object.entries(user)) {
    if (k === "Env" && Array.isArray(merged.Env)) merged.Env = mergeEnv(merged.Env, v);
    else if (MAPS.has(k) && merged[k]) merged[k] = { ...merged[k], ...v };
    else merged[k] = v;
  }
  try {
    return normaliseConfig(merged);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.code, `${e.message} (in the config merged with the base image's)`, e.hint);
    throw e;
  }
}

// src/commands/build-image.ts
function imageAnnotations(a) {
  if (a === void 0 || a === null) return void 0;
  if (typeof a !== "object" || Array.isArray(a) || Object.values(a).some((v) => typeof v !== "string"))
    throw new UserError("INVALID_CONFIG", 'buildImage: annotations must be an attribute set of strings, e.g. { "org.opencontainers.image.revision" = "\u2026"; }');
  return Object.keys(a).length ? a : void 0;
}
function imageCompression(c) {
  if (c === void 0 || c === null) return void 0;
  if (!COMPRESSIONS.includes(c.type)) throw new UserError("INVALID_CONFIG", `buildImage: compression ${JSON.stringify(c.type)} is not one of ${COMPRESSIONS.map((x) => `"${x}"`).join(", ")}`);
  const type = c.type;
  if (c.level === void 0 || c.level === null) return { type };
  if (type === "none") throw new UserError("INVALID_CONFIG", 'buildImage: compressionLevel needs compression = "gzip" or "zstd"');
  const range = LEVELS[type];
  if (typeof c.level !== "number" || !Number.isInteger(c.level) || c.level < range.min || c.level > range.max)
    throw new UserError("INVALID_CONFIG", `buildImage: compressionLevel for ${type} runs from ${range.min} to ${range.max}, not ${JSON.stringify(c.level)}`);
  return { type, level: c.level };
}
var RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
function assembleImage(spec, own = [], ownCounts) {
  if (!spec.name || typeof spec.name !== "string") throw new UserError("INVALID_CONFIG", 'buildImage: "name" is required');
  parseName(spec.name, `buildImage: name ${JSON.stringify(spec.name)}`);
  if (spec.tag != null) checkTag(spec.tag, "buildImage");
  const created = spec.created ?? "1970-01-01T00:00:01Z";
  if (created !== "now" && !RFC3339.test(created)) throw new UserError("INVALID_CONFIG", `buildImage: created ${JSON.stringify(created)} is not an RFC 3339 date like "2024-01-01T00:00:00Z"`);
  let config = normaliseConfig(spec.config);
  const compression = imageCompression(spec.compression);
  const annotations = imageAnnotations(spec.annotations);
  const layers = [];
  const seen = /* @__PURE__ */ new Set();
  let base;
  let baseHistory;
  const counts = { base: 0, layers: 0, layersResults: 0, own: 0 };
  spec.layers.forEach((f, i) => {
    const lf = loadLayersFile(f);
    if (i === 0 && lf.base) {
      base = lf.base;
      const os = spec.os ?? "linux";
      if (base.architecture !== spec.arch || base.os !== os)
        throw new UserError(
          "PLATFORM_MISMATCH",
          `fromImage ${base.reference} is ${base.os}/${base.architecture}, but the image is built for ${os}/${spec.arch}`,
          `lock the base for this platform (longshore lock --os ${os} --arch ${spec.arch}), or set arch = "${base.architecture}" in buildImage`
        );
      config = mergeBaseConfig(base.config, config);
      if (base.history.filter((h) => !h.empty_layer).length === lf.layers.length) baseHistory = base.history;
      for (const l of lf.layers) {
        seen.add(l.digest);
        layers.push(l);
      }
      counts.base = lf.layers.length;
      return;
    }
    counts.layersResults++;
    for (const l of lf.layers) {
      if (seen.has(l.digest)) continue;
      seen.add(l.digest);
      layers.push(l);
      counts.layers++;
    }
  });
  own.forEach((l, i) => {
    if (seen.has(l.digest)) return;
    seen.add(l.digest);
    layers.push(l);
    if (ownCounts && i < ownCounts.layers) counts.layers++;
    else counts.own++;
  });
  if (layers.length > MAX_LAYERS_HARD)
    throw tooManyLayers({
      subject: "the image",
      ...base ? { fromImage: { count: counts.base, reference: base.reference } } : {},
      layers: counts.layers,
      layersResults: counts.layersResults + (ownCounts?.layersResults ?? 0),
      own: counts.own,
      maxLayers: ownCounts?.maxLayers ?? 1
    });
  return {
    version: FORMAT_VERSION,
    name: spec.name,
    ...spec.tag ? { tag: spec.tag } : {},
    arch: spec.arch,
    os: spec.os ?? "linux",
    ...spec.variant ? { variant: spec.variant } : {},
    created: created === "now" ? (/* @__PURE__ */ new Date()).toISOString().replace(/\.\d+Z$/, "Z") : created,
    config,
    layers,
    ...baseHistory ? { baseHistory } : {},
    ...compression ? { compression } : {},
    ...annotations ? { annotations } : {}
  };
}
async function buildImageCommand(args) {
  const a = readNixAttrs(args.attrs);
  const imageSpec = a.attrs.spec;
  let own = [];
  let counts;
  if (a.attrs.layerSpec !== void 0) {
    const spec = parseLayerSpec(a.attrs.layerSpec, a.file);
    const first = Array.isArray(imageSpec?.layers) && imageSpec.layers.length > 0 ? loadLayersFile(imageSpec.layers[0]) : void 0;
    const fromImage = first?.base ? { count: first.layers.length, reference: first.base.reference } : void 0;
    ({ layers: own, counts } = await buildLayers(spec, graphNodes(a, "closure"), (m) => process.stderr.write(m + "\n"), args.entryUrl, { fromImage }));
  }
  const img = assembleImage(imageSpec, own, counts);
  writeFileSync(a.out, JSON.stringify(img, null, 1) + "\n");
}
export {
  assembleImage,
  buildImageCommand
};
