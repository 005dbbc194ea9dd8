import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  COPY_OPTIONS,
  copyCommand,
  toCopyArgs
} from "./chunk-UYI7L2JL.mjs";
import "./chunk-WKXXNKNK.mjs";
import "./chunk-4PFZZYPE.mjs";
import "./chunk-BWZXFGLC.mjs";
import "./chunk-K6OKN5C2.mjs";
import "./chunk-VA3PXKDB.mjs";
import "./chunk-SNDITNA7.mjs";
import "./chunk-AO2UATTK.mjs";
import "./chunk-477LFGEH.mjs";
import "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-TF6H54TZ.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/copy-fast.ts
import { parseArgs } from "node:util";
var options;
function parseOptions() {
  if (options) return options;
  options = {};
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    options[name] = { type: spec.type === "boolean" ? "boolean" : "string", ...spec.alias?.length === 1 ? { short: spec.alias } : {}, ...spec.array ? { multiple: true } : {} };
  }
  return options;
}
var isBoolean = (name) => COPY_OPTIONS[name]?.type === "boolean";
var isArray = (name) => COPY_OPTIONS[name]?.array === true;
function parseCopyFast(argv) {
  if (argv[0] !== "copy") return null;
  const args = argv.slice(1).map((a) => {
    const m = /^--([a-z-]+)=(true|false)$/.exec(a);
    return m && isBoolean(m[1]) ? m[2] === "true" ? `--${m[1]}` : `--no-${m[1]}` : a;
  });
  let parsed;
  try {
    parsed = parseArgs({ args, options: parseOptions(), allowPositionals: true, allowNegative: true, strict: true, tokens: true });
  } catch {
    return null;
  }
  const seen = /* @__PURE__ */ new Set();
  for (const [i, t] of parsed.tokens.entries()) {
    if (t.kind === "option-terminator") return null;
    if (t.kind !== "option") continue;
    if (isArray(t.name)) {
      if (!t.value) return null;
      continue;
    }
    if (seen.has(t.name)) return null;
    seen.add(t.name);
    const next = parsed.tokens[i + 1];
    if (isBoolean(t.name) && next?.kind === "positional" && (next.value === "true" || next.value === "false")) return null;
  }
  if (parsed.positionals.length !== 2 || parsed.positionals.includes("-")) return null;
  const values = { ...parsed.values };
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    if (spec.type !== "number") continue;
    if (values[name] === void 0) values[name] = spec.default;
    else if (!/^[0-9]+$/.test(String(values[name]))) return null;
    else values[name] = Number(values[name]);
  }
  return toCopyArgs(parsed.positionals[0], parsed.positionals[1], values);
}
export {
  copyCommand,
  parseCopyFast
};
