import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/nix-attrs.ts
import { readFileSync } from "node:fs";
import { join } from "node:path";
function attrsFile(explicit) {
  if (explicit) return explicit;
  if (process.env.NIX_ATTRS_JSON_FILE) return process.env.NIX_ATTRS_JSON_FILE;
  return join(process.env.NIX_BUILD_TOP ?? ".", ".attrs.json");
}
function readNixAttrs(explicit) {
  const file = attrsFile(explicit);
  let attrs;
  try {
    attrs = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError("BUILD_ATTRS", `cannot read the derivation's structured attributes from ${file} (${e.message}); this command runs inside derivations made by longshore's Nix library`);
  }
  const outputs = attrs.outputs;
  const out = process.env.out ?? outputs?.out;
  if (!out) throw new UserError("BUILD_ATTRS", `${file}: no "outputs.out"`);
  return { file, attrs, out };
}
function graphNodes(attrs, key) {
  const v = attrs.attrs[key];
  if (v === void 0) return [];
  if (!Array.isArray(v)) throw new UserError("BUILD_ATTRS", `${attrs.file}: "${key}" is not a closure graph (exportReferencesGraph.${key})`);
  return v;
}

export {
  readNixAttrs,
  graphNodes
};
