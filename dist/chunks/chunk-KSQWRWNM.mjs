import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  END_OF_ARCHIVE,
  headerLength,
  padding,
  writeHeader
} from "./chunk-6FQHKSVE.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/tar/writer.ts
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";

// src/tar/plan.ts
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
var IMPLICIT_DIR = 493;
function parseMode(mode, where) {
  if (mode === void 0 || mode === null) return void 0;
  if (!/^[0-7]{1,4}$/.test(String(mode))) throw new UserError("INVALID_CONFIG", `${where}: mode ${JSON.stringify(mode)} is not an octal string like "0755" or "1777"`);
  return parseInt(String(mode), 8);
}
function typeOf(st, file) {
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isFile()) return "file";
  throw new UserError("LAYER_CONTENT", `${file}: unsupported file type (only files, directories and symlinks can go into a layer)`);
}
function checkName(name, file) {
  if (name.includes("\uFFFD")) throw new UserError("LAYER_CONTENT", `${file}: file name is not valid UTF-8; longshore cannot store it faithfully`);
}
function walk(hostPath, imageName, origin, out, skipSelf) {
  let st;
  try {
    st = lstatSync(hostPath);
  } catch (e) {
    const code = e.code;
    if (code === "ENOENT") throw new UserError("STORE_PATH_MISSING", `store path ${hostPath} is missing (garbage-collected?); rebuild the image with nix-build to restore it`);
    throw new UserError("FILE_UNREADABLE", `cannot read ${hostPath}: ${code ?? e}`);
  }
  const type = typeOf(st, hostPath);
  if (!skipSelf) {
    const e = entryOf(imageName, type, st.mode & 4095, type === "file" ? st.size : 0, origin);
    if (type === "file") e.source = hostPath;
    if (type === "symlink") e.linkname = readlinkSync(hostPath);
    out.push(e);
  }
  if (type === "directory") walkChildren(hostPath, imageName, origin, out);
  else if (skipSelf) throw new UserError("INVALID_CONFIG", `copyToRoot entry ${hostPath} must be a directory`);
}
function entryOf(name, type, mode, size, origin) {
  return { name, type, mode, uid: 0, gid: 0, uname: "", gname: "", size, origin };
}
function walkChildren(hostPath, imageName, origin, out) {
  const deferStat = origin.startsWith("/nix/store/");
  const dirents = readdirSync(hostPath, { withFileTypes: true });
  dirents.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const d of dirents) {
    const child = `${hostPath}/${d.name}`;
    checkName(d.name, child);
    const name = imageName === "." ? d.name : `${imageName}/${d.name}`;
    if (deferStat && d.isFile()) {
      const e = entryOf(name, "file", -1, -1, origin);
      e.source = child;
      out.push(e);
    } else if (d.isSymbolicLink()) {
      const e = entryOf(name, "symlink", 511, 0, origin);
      e.linkname = readlinkSync(child);
      out.push(e);
    } else {
      walk(child, name, origin, out, false);
    }
  }
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
function declaredToEntry(d, i) {
  const where = `declared entry ${i} (${d.path})`;
  if (typeof d.path !== "string" || !d.path.startsWith("/") || d.path === "/") throw new UserError("INVALID_CONFIG", `${where}: path must be absolute and not "/"`);
  const name = d.path.replace(/^\/+/, "").replace(/\/+$/, "");
  if (name.split("/").some((c) => c === ".." || c === "." || c === "")) throw new UserError("INVALID_CONFIG", `${where}: path must be normalised (no ".", ".." or "//")`);
  const type = d.type;
  if (type !== "file" && type !== "directory" && type !== "symlink") throw new UserError("INVALID_CONFIG", `${where}: type must be file, directory or symlink`);
  const content = type === "file" ? Buffer.from(d.content ?? "", "utf8") : void 0;
  if (type === "symlink" && typeof d.target !== "string") throw new UserError("INVALID_CONFIG", `${where}: symlink needs a target`);
  return {
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
    return { path: p.path, re, mode: parseMode(p.mode, where), rule: p };
  });
}
function applyPerms(e, perms) {
  if (perms.length === 0) return;
  const from = e.origin.startsWith("copyToRoot:") ? e.origin.slice("copyToRoot:".length) : e.origin;
  const imagePath = e.name === "." ? "/" : "/" + e.name;
  for (const p of perms) {
    if (p.path !== from || !p.re.test(imagePath)) continue;
    if (p.mode !== void 0) e.mode = p.mode;
    if (p.rule.uid !== void 0) e.uid = p.rule.uid;
    if (p.rule.gid !== void 0) e.gid = p.rule.gid;
    if (p.rule.uname !== void 0) e.uname = p.rule.uname;
    if (p.rule.gname !== void 0) e.gname = p.rule.gname;
  }
}
function sameEntry(a, b) {
  return a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.size === b.size && a.linkname === b.linkname;
}
function describeOrigin(o) {
  if (o === "declared") return "a declared entry";
  if (o === "implicit") return "an implicit parent directory";
  if (o.startsWith("copyToRoot:")) return `copyToRoot ${o.slice(11)}`;
  return `store path ${o}`;
}
function planLayer(content) {
  const perms = compilePerms(content.perms ?? []);
  const found = [];
  for (const p of [...content.paths].sort()) {
    if (!p.startsWith("/nix/store/")) throw new UserError("LAYER_CONTENT", `layer path ${p} is not in /nix/store`);
    walk(p, p.slice(1), p, found, false);
  }
  for (const r of content.copyToRoot ?? []) walk(r, ".", `copyToRoot:${r}`, found, true);
  const declared = (content.entries ?? []).map(declaredToEntry);
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
        throw new UserError("LAYER_CONFLICT", `/${e.name} from ${describeOrigin(e.origin)} must be a directory: other entries live under it`);
      }
      if (!prev || e.name !== "nix" && e.name !== "nix/store") byName.set(e.name, e);
      continue;
    }
    if (sameEntry(prev, e) && (e.type === "directory" || e.source === prev.source)) continue;
    throw new UserError(
      "LAYER_CONFLICT",
      `/${e.name} is provided twice with different content or permissions: by ${describeOrigin(prev.origin)} and by ${describeOrigin(e.origin)}`
    );
  }
  for (const d of declared) {
    const prev = byName.get(d.name);
    const identical = prev !== void 0 && sameEntry(prev, d) && (prev.content === void 0 || d.content === void 0 || prev.content.equals(d.content));
    if (prev && prev.origin === "declared" && !identical)
      throw new UserError("LAYER_CONFLICT", `/${d.name} is declared twice with different content`);
    if (prev && prev.origin.startsWith("/nix/store/")) throw new UserError("LAYER_CONFLICT", `/${d.name} is declared but is also inside store path ${prev.origin}`);
    byName.set(d.name, d);
  }
  for (const name of [...byName.keys()]) {
    let i = name.lastIndexOf("/");
    while (i > 0) {
      const parent = name.slice(0, i);
      const pe = byName.get(parent);
      if (!pe) byName.set(parent, implicitDir(parent));
      else if (pe.type !== "directory") throw new UserError("LAYER_CONFLICT", `/${name} lies under /${parent}, which is a ${pe.type} (from ${describeOrigin(pe.origin)})`);
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
    if (this.pending) this.hash(this.key).update(this.pending);
    this.pending = "";
    this.key = next;
  }
};
function changedWhileReading(e) {
  return new UserError("STORE_PATH_CHANGED", `${e.source} changed while longshore was reading it (was ${e.size} bytes); is something writing into /nix/store?`);
}
function openSource(e) {
  let fd;
  try {
    fd = openSync(e.source, "r");
  } catch (err) {
    throw new UserError("FILE_UNREADABLE", `cannot read ${e.source}: ${err.code ?? err}`);
  }
  try {
    const st = fstatSync(fd);
    if (e.size < 0) e.size = st.size;
    else if (st.size !== e.size) throw changedWhileReading(e);
    if (e.mode < 0) e.mode = st.mode & 4095;
  } catch (err) {
    closeSync(fd);
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
      if (hlen > BLOCK) throw new UserError("LAYER_CONTENT", `${e.source ?? "/" + e.name}: name too long for a tar header`);
      if (off + hlen > BLOCK) yield* full();
      off = writeHeader(h, buf, off);
      if (e.type !== "file") continue;
      for (let pos = 0; pos < e.size; ) {
        if (off === BLOCK) yield* full();
        const n = Math.min(e.size - pos, BLOCK - off);
        if (e.content) e.content.copy(buf, off, pos, pos + n);
        else if (readSync(fd, buf, off, n, pos) !== n) throw changedWhileReading(e);
        off += n;
        pos += n;
      }
      const pad = padding(e.size);
      buf.fill(0, off, off + pad);
      off += pad;
    } finally {
      if (fd >= 0) closeSync(fd);
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
function digestLayer(content) {
  const hash = createHash("sha256");
  const fps = new Fingerprints();
  let size = 0;
  for (const block of tarBlocks(planLayer(content), fps, true)) {
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
