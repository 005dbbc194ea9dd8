// Inside a Nix build with __structuredAttrs, every attribute, the closure graph (exportReferencesGraph,
// with each path's narSize and references) and the output paths arrive in one JSON file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './util/errors.js';

export interface GraphNode {
  path: string;
  narSize: number;
  /** "sha256:…", as `nix-store --load-db` takes it. */
  narHash?: string;
  references: string[];
}

export interface NixAttrs {
  file: string;
  attrs: Record<string, unknown>;
  out: string;
}

export function attrsFile(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.NIX_ATTRS_JSON_FILE) return process.env.NIX_ATTRS_JSON_FILE;
  return join(process.env.NIX_BUILD_TOP ?? '.', '.attrs.json');
}

export function readNixAttrs(explicit?: string): NixAttrs {
  const file = attrsFile(explicit);
  let attrs: Record<string, unknown>;
  try {
    attrs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UserError('BUILD_ATTRS', `cannot read the derivation's structured attributes from ${file} (${(e as Error).message}); this command runs inside derivations made by longshore's Nix library`);
  }
  const outputs = attrs.outputs as Record<string, string> | undefined;
  const out = process.env.out ?? outputs?.out;
  if (!out) throw new UserError('BUILD_ATTRS', `${file}: no "outputs.out"`);
  return { file, attrs, out };
}

export function graphNodes(attrs: NixAttrs, key: string): GraphNode[] {
  const v = attrs.attrs[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new UserError('BUILD_ATTRS', `${attrs.file}: "${key}" is not a closure graph (exportReferencesGraph.${key})`);
  return v as GraphNode[];
}
