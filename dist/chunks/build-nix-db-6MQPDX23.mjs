import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  graphNodes,
  readNixAttrs
} from "./chunk-OWDD4U2F.mjs";
import {
  count
} from "./chunk-TF6H54TZ.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/commands/build-nix-db.ts
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { basename, join } from "node:path";
function registration(nodes) {
  return nodes.map((n) => [n.path, n.narHash, String(n.narSize), "", String(n.references.length), ...n.references].join("\n") + "\n").join("");
}
function imagePaths(graph, exclude) {
  const kept = graph.filter((n) => !exclude.has(n.path)).sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  for (const n of kept) {
    const out = n.references.find((r) => exclude.has(r));
    if (out) throw new UserError("NIX_DB", `initializeNixDatabase: ${n.path} refers to ${out}, which the image leaves out, so the database cannot register it`);
    if (typeof n.narHash !== "string" || !n.narHash) throw new UserError("NIX_DB", `initializeNixDatabase: the closure graph has no narHash for ${n.path}`);
  }
  return kept.map((n) => ({ ...n, narHash: n.narHash, references: [...n.references].sort() }));
}
function run(tool, args, opts = {}) {
  const r = spawnSync(tool, args, { input: opts.input, env: opts.env ?? process.env, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.error) throw new UserError("NIX_DB", `initializeNixDatabase: cannot run ${tool}: ${r.error.message}`);
  if (r.status !== 0) throw new UserError("NIX_DB", `initializeNixDatabase: ${tool} ${args.join(" ")} failed (exit ${r.status}):
${r.stderr.trim()}`);
  return r.stdout;
}
function buildNixDbCommand(args) {
  const a = readNixAttrs(args.attrs);
  const tool = (k) => {
    const v = a.attrs[k];
    if (typeof v !== "string" || !v) throw new UserError("NIX_DB", `${a.file}: "${k}" (the path of a tool) is missing`);
    return v;
  };
  const nixStore = tool("nixStore");
  const sqlite3 = tool("sqlite3");
  const exclude = new Set(Array.isArray(a.attrs.exclude) ? a.attrs.exclude.map(String) : []);
  const nodes = imagePaths(graphNodes(a, "closure"), exclude);
  const top = process.env.NIX_BUILD_TOP ?? process.cwd();
  const root = join(top, "nix-db-root");
  const env = { ...process.env, HOME: top, NIX_REMOTE: `local?root=${root}` };
  run(nixStore, ["--load-db", "-j", "1"], { input: registration(nodes), env });
  const built = join(root, "nix/var/nix/db");
  run(sqlite3, [join(built, "db.sqlite"), "UPDATE ValidPaths SET registrationTime = 0;"]);
  const dump = run(sqlite3, [join(built, "db.sqlite"), ".dump"]);
  const db = join(a.out, "nix/var/nix/db");
  mkdirSync(db, { recursive: true });
  run(sqlite3, [join(db, "db.sqlite")], { input: dump });
  copyFileSync(join(built, "schema"), join(db, "schema"));
  run(sqlite3, [join(db, "db.sqlite"), "PRAGMA journal_mode = wal;"]);
  const roots = join(a.out, "nix/var/nix/gcroots/docker");
  mkdirSync(roots, { recursive: true });
  for (const n of nodes) symlinkSync(n.path, join(roots, basename(n.path)));
  mkdirSync(join(a.out, "nix/store/.links"), { recursive: true });
  process.stderr.write(`longshore: registered ${count(nodes.length, "store path")} in the image's Nix database
`);
}
export {
  buildNixDbCommand
};
