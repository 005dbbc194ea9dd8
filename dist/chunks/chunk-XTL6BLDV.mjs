import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  END_OF_ARCHIVE,
  fsPath,
  headerLength,
  nameFromBytes,
  nameToBytes,
  padding,
  showName,
  writeHeader
} from "./chunk-U7P74N4L.mjs";
import {
  fsReason
} from "./chunk-5SF5CXX5.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/tar/writer.ts
import { createHash } from "node:crypto";
import { closeSync as closeSync2, fstatSync, openSync as openSync2, readSync as readSync2 } from "node:fs";
import { Readable } from "node:stream";

// src/tar/plan.ts
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync } from "node:fs";
var IMPLICIT_DIR = 493;
function parseMode(mode, where) {
  if (mode === void 0 || mode === null) return void 0;
  if (!/^[0-7]{1,4}$/.test(String(mode))) throw new UserError("INVALID_CONFIG", `${where}: mode ${JSON.stringify(mode)} is not an octal string like "0755" or "1777"`);
  return parseInt(String(mode), 8);
}
var kindOf = (st) => st.isDirectory() ? "directory" : st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : st.isFIFO() ? "FIFO" : st.isSocket() ? "socket" : "device";
function typeOf(st, file) {
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isFile()) return "file";
  throw new UserError("LAYER_CONTENT", `${showName(file)}: unsupported file type (${kindOf(st)}; only files, directories and symlinks can go into a layer)`);
}
function checkWhiteout(name, file) {
  if (name.startsWith(".wh."))
    throw new UserError(
      "LAYER_CONTENT",
      `${showName(file)}: a file named ".wh.*" cannot go into an OCI layer: image tools take it for a whiteout (a deletion) and the image would lack it`,
      "rename it, or leave the store path that holds it out of the image (ignore)"
    );
}
function lstatOrFail(hostPath) {
  try {
    return lstatSync(fsPath(hostPath));
  } catch (e) {
    const code = e.code;
    if (code === "ENOENT") throw new UserError("STORE_PATH_MISSING", `store path ${showName(hostPath)} is missing (garbage-collected?); rebuild the image with nix-build to restore it`);
    throw new UserError("FILE_UNREADABLE", `cannot read ${showName(hostPath)}: ${fsReason(e)}`);
  }
}
var readLink = (p) => nameFromBytes(readlinkSync(fsPath(p), { encoding: "buffer" }));
function walk(hostPath, imageName, origin, out, opts) {
  const st = lstatOrFail(hostPath);
  const type = typeOf(st, hostPath);
  const e = entryOf(imageName, type, st.mode & 4095, type === "file" ? st.size : 0, origin);
  if (type === "file") e.source = hostPath;
  if (type === "symlink") e.linkname = readLink(hostPath);
  out.push(e);
  if (type === "directory") walkChildren(hostPath, imageName, origin, out, opts);
}
function entryOf(name, type, mode, size, origin) {
  return { name, type, mode, uid: 0, gid: 0, uname: "", gname: "", size, origin };
}
function walkChildren(hostPath, imageName, origin, out, opts) {
  const deferStat = origin.startsWith("/nix/store/");
  const dirents = readdirSync(fsPath(hostPath), { withFileTypes: true, encoding: "buffer" });
  const children = dirents.map((d) => ({ name: nameFromBytes(d.name), d }));
  children.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const { name: childName, d } of children) {
    const child = `${hostPath}/${childName}`;
    if (opts.build) checkWhiteout(childName, child);
    const name = imageName === "." ? childName : `${imageName}/${childName}`;
    if (deferStat && d.isFile()) {
      const e = entryOf(name, "file", -1, -1, origin);
      e.source = child;
      out.push(e);
    } else if (d.isSymbolicLink()) {
      const e = entryOf(name, "symlink", 511, 0, origin);
      e.linkname = readLink(child);
      out.push(e);
    } else {
      walk(child, name, origin, out, opts);
    }
  }
}
function copyToRootDir(r) {
  const st = lstatOrFail(r);
  if (st.isDirectory()) return r;
  const why = "copyToRoot puts the contents of a directory at /";
  if (!st.isSymbolicLink())
    throw new UserError("INVALID_CONFIG", `copyToRoot entry ${showName(r)} is a ${kindOf(st)}, not a directory: ${why}`, "put the file in a directory at the path it should have under / (e.g. a runCommand that copies it to $out/etc/app.conf), and give that directory");
  let real;
  try {
    real = nameFromBytes(realpathSync(fsPath(r), { encoding: "buffer" }));
  } catch (e) {
    throw new UserError("INVALID_CONFIG", `copyToRoot entry ${showName(r)} is a symlink to ${showName(readLink(r))}, which cannot be resolved (${e.code ?? e}): ${why}`);
  }
  if (r.startsWith("/nix/store/") && !real.startsWith("/nix/store/"))
    throw new UserError("INVALID_CONFIG", `copyToRoot entry ${showName(r)} is a symlink to ${showName(real)}, outside /nix/store: ${why}, and only a store directory is part of the image`);
  const rst = lstatOrFail(real);
  if (!rst.isDirectory())
    throw new UserError("INVALID_CONFIG", `copyToRoot entry ${showName(r)} is a symlink to ${showName(real)}, which is a ${kindOf(rst)}, not a directory: ${why}`, "give a directory that holds the file at the path it should have under /");
  return real;
}
function compareNames(a, b) {
  if (a === b) return 0;
  if (a === ".") return -1;
  if (b === ".") return 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca === 47) return -1;
      if (cb === 47) return 1;
      return ca - cb;
    }
  }
  return a.length - b.length;
}
var declaredWhere = (d, i) => d.by ? `${d.by} (${d.path})` : `declared entry ${i} (${d.path})`;
function declaredToEntry(d, i, opts) {
  const where = declaredWhere(d, i);
  if (typeof d.path !== "string" || !d.path.startsWith("/") || d.path === "/") throw new UserError("INVALID_CONFIG", `${where}: path must be absolute and not "/"`);
  const name = d.path.replace(/^\/+/, "").replace(/\/+$/, "");
  if (name.split("/").some((c) => c === ".." || c === "." || c === "")) throw new UserError("INVALID_CONFIG", `${where}: path must be normalised (no ".", ".." or "//")`);
  if (opts.build) for (const c of name.split("/")) checkWhiteout(c, where);
  const type = d.type;
  if (type !== "file" && type !== "directory" && type !== "symlink") throw new UserError("INVALID_CONFIG", `${where}: type must be file, directory or symlink`);
  const content = type === "file" ? Buffer.from(d.content ?? "", "utf8") : void 0;
  if (type === "symlink" && typeof d.target !== "string") throw new UserError("INVALID_CONFIG", `${where}: symlink needs a target`);
  const e = {
    name,
    type,
    mode: parseMode(d.mode, where) ?? (type === "directory" ? 493 : type === "symlink" ? 511 : 420),
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
    uname: d.uname ?? "",
    gname: d.gname ?? "",
    size: content?.length ?? 0,
    content,
    linkname: d.target,
    origin: "declared"
  };
  if (d.by) e.by = d.by;
  return e;
}
function compilePerms(perms) {
  return perms.map((p, i) => {
    const where = `perms[${i}]`;
    if (typeof p.path !== "string") throw new UserError("INVALID_CONFIG", `${where}: "path" must be a store path`);
    let re;
    try {
      re = new RegExp(p.regex ?? ".*");
    } catch (e) {
      throw new UserError("INVALID_CONFIG", `${where}: invalid regex ${JSON.stringify(p.regex)}: ${e.message}`);
    }
    return { index: i, path: p.path, re, mode: parseMode(p.mode, where), rule: p };
  });
}
function applyPerms(e, perms) {
  if (perms.length === 0) return;
  const atRoot = e.origin.startsWith("copyToRoot:");
  const from = atRoot ? e.origin.slice("copyToRoot:".length) : e.origin;
  const imagePath = e.name === "." ? "/" : "/" + e.name;
  for (const p of perms) {
    if (p.path !== from || p.rule.scope === "root" && !atRoot || !p.re.test(imagePath)) continue;
    if (p.mode !== void 0) e.mode = p.mode;
    if (p.rule.uid !== void 0) e.uid = p.rule.uid;
    if (p.rule.gid !== void 0) e.gid = p.rule.gid;
    if (p.rule.uname !== void 0) e.uname = p.rule.uname;
    if (p.rule.gname !== void 0) e.gname = p.rule.gname;
    (e.rules ??= []).push(p.index);
  }
}
function sameEntry(a, b) {
  return a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.size === b.size && a.linkname === b.linkname;
}
function sameBytes(a, b, size) {
  const fa = openSync(fsPath(a), "r");
  try {
    const fb = openSync(fsPath(b), "r");
    try {
      const ba = Buffer.allocUnsafe(Math.min(size, 1 << 20));
      const bb = Buffer.allocUnsafe(ba.length);
      for (let pos = 0; pos < size; ) {
        const n = Math.min(ba.length, size - pos);
        if (readSync(fa, ba, 0, n, pos) !== n || readSync(fb, bb, 0, n, pos) !== n) return false;
        if (!ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
        pos += n;
      }
      return true;
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}
function describeOrigin(e) {
  const o = e.origin;
  if (o === "declared") return e.by ?? "a declared entry";
  if (o === "implicit") return "an implicit parent directory";
  if (o.startsWith("copyToRoot:")) return `copyToRoot ${o.slice(11)}`;
  return `store path ${o}`;
}
var octal = (m) => m.toString(8).padStart(4, "0");
var owner = (e) => `${e.uid}:${e.gid}${e.uname || e.gname ? ` (${e.uname || "-"}:${e.gname || "-"})` : ""}`;
function differences(a, b) {
  const attrs = [];
  const what = [];
  if (a.type !== b.type) {
    attrs.push("type");
    what.push(`type (${a.type} vs ${b.type})`);
    return { attrs, what };
  }
  if (a.mode !== b.mode) {
    attrs.push("mode");
    what.push(`mode (${octal(a.mode)} vs ${octal(b.mode)})`);
  }
  if (a.uid !== b.uid || a.gid !== b.gid || a.uname !== b.uname || a.gname !== b.gname) {
    attrs.push("owner");
    what.push(`owner (${owner(a)} vs ${owner(b)})`);
  }
  if (a.type === "symlink" && a.linkname !== b.linkname) {
    attrs.push("content");
    what.push(`link target (${showName(a.linkname ?? "")} vs ${showName(b.linkname ?? "")})`);
  } else if (a.type === "file" && a.size !== b.size) {
    attrs.push("content");
    what.push(`content (${a.size} vs ${b.size} bytes)`);
  } else if (a.type === "file" && attrs.length === 0) {
    attrs.push("content");
    what.push("content (same size, other bytes)");
  }
  return { attrs, what };
}
function describeRule(perms, i) {
  const r = perms[i].rule;
  const set = [
    r.mode !== void 0 ? `mode ${r.mode}` : "",
    r.uid !== void 0 ? `uid ${r.uid}` : "",
    r.gid !== void 0 ? `gid ${r.gid}` : "",
    r.uname !== void 0 ? `uname ${r.uname}` : "",
    r.gname !== void 0 ? `gname ${r.gname}` : ""
  ].filter(Boolean);
  return `${r.by ? `${r.by}'s perms rule` : `perms[${i}]`} (regex ${JSON.stringify(r.regex ?? ".*")}: ${set.join(", ") || "nothing"})`;
}
function describeSide(e, perms) {
  const from = describeOrigin(e);
  if (e.rules?.length) return `${from}, with attributes set by ${e.rules.map((i) => describeRule(perms, i)).join(" and ")}`;
  if (e.origin === "declared" || e.origin === "implicit") return from;
  return `${from}, as in the store`;
}
function conflictError(prev, e, perms) {
  const path = "/" + showName(e.name);
  const { attrs, what } = differences(prev, e);
  const fixes = [];
  const ruleAttrs = attrs.filter((a) => a === "mode" || a === "owner");
  const rules = [.../* @__PURE__ */ new Set([...prev.rules ?? [], ...e.rules ?? []])].sort((a, b) => a - b);
  if (ruleAttrs.length > 0)
    for (const i of rules) {
      const r = perms[i].rule;
      fixes.push(`narrow the regex of ${r.by ? `${r.by}'s perms rule` : `perms[${i}]`} (${JSON.stringify(r.regex ?? ".*")}) so that it does not match ${JSON.stringify(path)}`);
    }
  if (prev.type === "directory" && e.type === "directory") {
    const plain = !prev.rules?.length ? prev : !e.rules?.length ? e : prev;
    fixes.push(`declare ${path} once, e.g. directories = [ { path = "${path}"; mode = "${octal(plain.mode)}"; } ]: a declared directory replaces what copyToRoot entries provide`);
  } else fixes.push(`keep only one of the two in copyToRoot${e.type === "symlink" && prev.type === "symlink" ? `, or declare ${path} once in symlinks` : ""}`);
  return new UserError(
    "LAYER_CONFLICT",
    `${path} is provided twice, with a different ${what.join(" and ")}: by ${describeSide(prev, perms)}; and by ${describeSide(e, perms)}`,
    fixes.join("; or ")
  );
}
function planLayer(content, opts = {}) {
  const perms = compilePerms(content.perms ?? []);
  const found = [];
  for (const p of [...content.paths].sort()) {
    if (!p.startsWith("/nix/store/")) throw new UserError("LAYER_CONTENT", `layer path ${p} is not in /nix/store`);
    walk(p, p.slice(1), p, found, opts);
  }
  for (const r of content.copyToRoot ?? []) walkChildren(copyToRootDir(r), ".", `copyToRoot:${r}`, found, opts);
  const declared = (content.entries ?? []).map((d, i) => declaredToEntry(d, i, opts));
  const declaredNames = new Set(declared.map((d) => d.name));
  const byName = /* @__PURE__ */ new Map();
  const implicitDir = (name) => ({
    name,
    type: "directory",
    mode: IMPLICIT_DIR,
    uid: 0,
    gid: 0,
    uname: "",
    gname: "",
    size: 0,
    origin: "implicit"
  });
  byName.set(".", implicitDir("."));
  if (content.paths.length > 0) {
    byName.set("nix", implicitDir("nix"));
    byName.set("nix/store", implicitDir("nix/store"));
  }
  for (const e of found) {
    applyPerms(e, perms);
    const prev = byName.get(e.name);
    if (!prev || prev.origin === "implicit") {
      if (prev && e.type !== "directory") {
        throw new UserError("LAYER_CONFLICT", `/${showName(e.name)} from ${describeOrigin(e)} must be a directory: other entries live under it`);
      }
      if (!prev || e.name !== "nix" && e.name !== "nix/store") byName.set(e.name, e);
      continue;
    }
    if (sameEntry(prev, e) && (e.type !== "file" || e.source === prev.source || e.size >= 0 && sameBytes(prev.source, e.source, e.size))) continue;
    if (declaredNames.has(e.name)) continue;
    throw conflictError(prev, e, perms);
  }
  for (const d of declared) {
    const prev = byName.get(d.name);
    const identical = prev !== void 0 && sameEntry(prev, d) && (prev.content === void 0 || d.content === void 0 || prev.content.equals(d.content));
    if (prev && prev.origin === "declared" && !identical)
      throw new UserError("LAYER_CONFLICT", `/${d.name} is declared twice with different content${prev.by && d.by ? `: by ${prev.by} and by ${d.by}` : ""}`);
    if (prev && prev.origin.startsWith("/nix/store/") && !(prev.type === "directory" && d.type === "directory"))
      throw new UserError(
        "LAYER_CONFLICT",
        `/${d.name} is declared (${describeOrigin(d)}, a ${d.type}) but is also a ${prev.type} inside store path ${prev.origin}`,
        `declare a path outside that store path; to change the attributes of a store path's entries, use perms with path = that store path`
      );
    byName.set(d.name, d);
  }
  for (const name of [...byName.keys()]) {
    let i = name.lastIndexOf("/");
    while (i > 0) {
      const parent = name.slice(0, i);
      const pe = byName.get(parent);
      if (!pe) byName.set(parent, implicitDir(parent));
      else if (pe.type !== "directory") throw new UserError("LAYER_CONFLICT", `/${showName(name)} lies under /${showName(parent)}, which is a ${pe.type} (from ${describeOrigin(pe)})`);
      i = parent.lastIndexOf("/");
    }
  }
  return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
}

// src/tar/writer.ts
var WRITER_VERSION = "longshore-tar-1";
var MTIME_SECONDS = 1;
var BLOCK = 1 << 20;
function headerFor(e) {
  const name = e.name === "." ? "./" : e.type === "directory" ? e.name + "/" : e.name;
  return {
    name,
    type: e.type,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
    mtime: MTIME_SECONDS,
    size: e.type === "file" ? e.size : 0,
    linkname: e.type === "symlink" ? e.linkname : void 0
  };
}
var Fingerprints = class {
  hashes = /* @__PURE__ */ new Map();
  key = "";
  pending = "";
  add(e) {
    const key = e.origin === "implicit" ? "declared" : e.origin;
    if (key !== this.key || this.pending.length > 1 << 16) this.flush(key);
    this.pending += `${e.name}\0${e.type}\0${e.mode}\0${e.uid}\0${e.gid}\0${e.uname}\0${e.gname}\0${e.size}\0${e.linkname ?? ""}
`;
    if (e.content) {
      this.flush(key);
      this.hash(key).update(e.content);
    }
  }
  sources() {
    this.flush("");
    const out = {};
    for (const k of [...this.hashes.keys()].sort()) out[k] = "sha256:" + this.hashes.get(k).digest("hex");
    return out;
  }
  hash(key) {
    let h = this.hashes.get(key);
    if (!h) this.hashes.set(key, h = createHash("sha256"));
    return h;
  }
  flush(next) {
    if (this.pending) this.hash(this.key).update(this.pending.isWellFormed() ? this.pending : nameToBytes(this.pending));
    this.pending = "";
    this.key = next;
  }
};
function changedWhileReading(e) {
  return new UserError("STORE_PATH_CHANGED", `${showName(e.source ?? "")} changed while longshore was reading it (was ${e.size} bytes); is something writing into /nix/store?`);
}
function openSource(e) {
  let fd;
  try {
    fd = openSync2(fsPath(e.source), "r");
  } catch (err) {
    if (err.code === "ENOENT")
      throw new UserError("STORE_PATH_CHANGED", `${showName(e.source)} vanished while longshore was reading the layer; is something deleting from /nix/store (a garbage collection)?`);
    throw new UserError("FILE_UNREADABLE", `cannot read ${showName(e.source)}: ${fsReason(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (e.size < 0) e.size = st.size;
    else if (st.size !== e.size) throw changedWhileReading(e);
    if (e.mode < 0) e.mode = st.mode & 4095;
  } catch (err) {
    closeSync2(fd);
    throw err;
  }
  return fd;
}
function* tarBlocks(plan, fps, reuse) {
  let buf = Buffer.allocUnsafeSlow(BLOCK);
  let off = 0;
  const full = function* () {
    yield off === BLOCK ? buf : buf.subarray(0, off);
    if (!reuse) buf = Buffer.allocUnsafeSlow(BLOCK);
    off = 0;
  };
  for (const e of plan) {
    const fd = e.type === "file" && !e.content ? openSource(e) : -1;
    try {
      fps?.add(e);
      const h = headerFor(e);
      const hlen = headerLength(h);
      if (hlen > BLOCK) throw new UserError("LAYER_CONTENT", `${showName(e.source ?? "/" + e.name)}: name too long for a tar header`);
      if (off + hlen > BLOCK) yield* full();
      off = writeHeader(h, buf, off);
      if (e.type !== "file") continue;
      for (let pos = 0; pos < e.size; ) {
        if (off === BLOCK) yield* full();
        const n = Math.min(e.size - pos, BLOCK - off);
        if (e.content) e.content.copy(buf, off, pos, pos + n);
        else if (readSync2(fd, buf, off, n, pos) !== n) throw changedWhileReading(e);
        off += n;
        pos += n;
      }
      const pad = padding(e.size);
      buf.fill(0, off, off + pad);
      off += pad;
    } finally {
      if (fd >= 0) closeSync2(fd);
    }
  }
  for (let left = END_OF_ARCHIVE; left > 0; ) {
    if (off === BLOCK) yield* full();
    const n = Math.min(left, BLOCK - off);
    buf.fill(0, off, off + n);
    off += n;
    left -= n;
  }
  yield* full();
}
function layerTarStream(content) {
  let blocks;
  return new Readable({
    highWaterMark: BLOCK,
    read() {
      try {
        blocks ??= tarBlocks(planLayer(content), void 0, false);
        const next = blocks.next();
        this.push(next.done ? null : next.value);
      } catch (e) {
        this.destroy(e);
      }
    },
    destroy(err, cb) {
      try {
        blocks?.return();
      } finally {
        cb(err);
      }
    }
  });
}
function digestLayer(content, opts = {}) {
  const hash = createHash("sha256");
  const fps = new Fingerprints();
  let size = 0;
  for (const block of tarBlocks(planLayer(content, { build: opts.build }), fps, true)) {
    hash.update(block);
    size += block.length;
  }
  return { diffID: "sha256:" + hash.digest("hex"), size, sources: fps.sources() };
}

export {
  WRITER_VERSION,
  MTIME_SECONDS,
  layerTarStream,
  digestLayer
};
