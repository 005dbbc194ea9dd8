// Turns a layer's declared content into the sorted list of tar entries the writer emits.
// Synchronous fs calls on purpose: one walk, thousands of tiny syscalls; thread-pool hops would dominate.
// Names are read as bytes and held as src/util/names.ts decodes them, so any name a store path can
// hold is written byte for byte.
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, type Stats } from 'node:fs';
import type { DeclaredEntry, LayerContent, PermRule } from '../image/schema.js';
import { UserError } from '../util/errors.js';
import { fsReason } from '../util/atomic.js';
import { fsPath, nameFromBytes, showName } from '../util/names.js';

export interface PlanEntry {
  name: string; // image path without leading "/"; "." is the root
  type: 'file' | 'directory' | 'symlink';
  mode: number; // permission bits incl. setuid/setgid/sticky
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number; // -1: a store file whose size and mode the writer takes when it opens the file
  source?: string; // host file to read the content from
  content?: Buffer; // inline content (declared files)
  linkname?: string;
  origin: string; // what put it there: a store path, "copyToRoot:<store path>", "declared" or "implicit"
  /** Indexes (in the layer's perms) of the rules that set this entry's attributes, for messages. */
  rules?: number[];
  /** The declaration a declared entry comes from (DeclaredEntry.by), for messages. */
  by?: string;
}

export interface PlanOptions {
  /**
   * At build time only: refuse what the layer could hold but a consumer would misread (".wh."
   * names). A copy regenerates what the build accepted, so these checks never fail a copy.
   */
  build?: boolean;
}

const IMPLICIT_DIR = 0o755;

function parseMode(mode: string | undefined, where: string): number | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (!/^[0-7]{1,4}$/.test(String(mode))) throw new UserError('INVALID_CONFIG', `${where}: mode ${JSON.stringify(mode)} is not an octal string like "0755" or "1777"`);
  return parseInt(String(mode), 8);
}

const kindOf = (st: Stats): string =>
  st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : 'device';

function typeOf(st: Stats, file: string): PlanEntry['type'] {
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  throw new UserError('LAYER_CONTENT', `${showName(file)}: unsupported file type (${kindOf(st)}; only files, directories and symlinks can go into a layer)`);
}

/** OCI layers mark deletions with ".wh." names: a file of that name would be taken for one. */
function checkWhiteout(name: string, file: string): void {
  if (name.startsWith('.wh.'))
    throw new UserError(
      'LAYER_CONTENT',
      `${showName(file)}: a file named ".wh.*" cannot go into an OCI layer: image tools take it for a whiteout (a deletion) and the image would lack it`,
      'rename it, or leave the store path that holds it out of the image (ignore)',
    );
}

function lstatOrFail(hostPath: string): Stats {
  try {
    return lstatSync(fsPath(hostPath));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('STORE_PATH_MISSING', `store path ${showName(hostPath)} is missing (garbage-collected?); rebuild the image with nix-build to restore it`);
    throw new UserError('FILE_UNREADABLE', `cannot read ${showName(hostPath)}: ${fsReason(e)}`);
  }
}

const readLink = (p: string): string => nameFromBytes(readlinkSync(fsPath(p), { encoding: 'buffer' }));

/** Walks a host path without following symlinks (a `posix -> ..` loop is just a symlink). */
function walk(hostPath: string, imageName: string, origin: string, out: PlanEntry[], opts: PlanOptions): void {
  const st = lstatOrFail(hostPath);
  const type = typeOf(st, hostPath);
  const e = entryOf(imageName, type, st.mode & 0o7777, type === 'file' ? st.size : 0, origin);
  if (type === 'file') e.source = hostPath;
  if (type === 'symlink') e.linkname = readLink(hostPath);
  out.push(e);
  if (type === 'directory') walkChildren(hostPath, imageName, origin, out, opts);
}

function entryOf(name: string, type: PlanEntry['type'], mode: number, size: number, origin: string): PlanEntry {
  return { name, type, mode, uid: 0, gid: 0, uname: '', gname: '', size, origin };
}

/**
 * Store files are not stat'ed here: the writer opens them anyway and takes size and mode from the
 * open file, which saves a system call per file. Symlinks are always mode 0777 on Linux.
 */
function walkChildren(hostPath: string, imageName: string, origin: string, out: PlanEntry[], opts: PlanOptions): void {
  const deferStat = origin.startsWith('/nix/store/');
  const dirents = readdirSync(fsPath(hostPath), { withFileTypes: true, encoding: 'buffer' });
  const children = dirents.map((d) => ({ name: nameFromBytes(d.name), d }));
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name: childName, d } of children) {
    const child = `${hostPath}/${childName}`;
    if (opts.build) checkWhiteout(childName, child);
    const name = imageName === '.' ? childName : `${imageName}/${childName}`;
    if (deferStat && d.isFile()) {
      const e = entryOf(name, 'file', -1, -1, origin);
      e.source = child;
      out.push(e);
    } else if (d.isSymbolicLink()) {
      const e = entryOf(name, 'symlink', 0o777, 0, origin);
      e.linkname = readLink(child);
      out.push(e);
    } else {
      walk(child, name, origin, out, opts);
    }
  }
}

/**
 * The directory whose contents a copyToRoot entry puts at /: the entry itself, or, for an alias (a
 * store path that is a symlink, `ln -s ${real} $out`), the store directory it resolves to.
 */
function copyToRootDir(r: string): string {
  const st = lstatOrFail(r);
  if (st.isDirectory()) return r;
  const why = 'copyToRoot puts the contents of a directory at /';
  if (!st.isSymbolicLink())
    throw new UserError('INVALID_CONFIG', `copyToRoot entry ${showName(r)} is a ${kindOf(st)}, not a directory: ${why}`, 'put the file in a directory at the path it should have under / (e.g. a runCommand that copies it to $out/etc/app.conf), and give that directory');
  let real: string;
  try {
    real = nameFromBytes(realpathSync(fsPath(r), { encoding: 'buffer' }));
  } catch (e) {
    throw new UserError('INVALID_CONFIG', `copyToRoot entry ${showName(r)} is a symlink to ${showName(readLink(r))}, which cannot be resolved (${(e as NodeJS.ErrnoException).code ?? e}): ${why}`);
  }
  if (r.startsWith('/nix/store/') && !real.startsWith('/nix/store/'))
    throw new UserError('INVALID_CONFIG', `copyToRoot entry ${showName(r)} is a symlink to ${showName(real)}, outside /nix/store: ${why}, and only a store directory is part of the image`);
  const rst = lstatOrFail(real);
  if (!rst.isDirectory())
    throw new UserError('INVALID_CONFIG', `copyToRoot entry ${showName(r)} is a symlink to ${showName(real)}, which is a ${kindOf(rst)}, not a directory: ${why}`, 'give a directory that holds the file at the path it should have under /');
  return real;
}

/** Depth-first order with sorted children: "/" sorts before every other character. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '.') return -1;
  if (b === '.') return 1;
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

const declaredWhere = (d: DeclaredEntry, i: number): string => (d.by ? `${d.by} (${d.path})` : `declared entry ${i} (${d.path})`);

function declaredToEntry(d: DeclaredEntry, i: number, opts: PlanOptions): PlanEntry {
  const where = declaredWhere(d, i);
  if (typeof d.path !== 'string' || !d.path.startsWith('/') || d.path === '/') throw new UserError('INVALID_CONFIG', `${where}: path must be absolute and not "/"`);
  const name = d.path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (name.split('/').some((c) => c === '..' || c === '.' || c === '')) throw new UserError('INVALID_CONFIG', `${where}: path must be normalised (no ".", ".." or "//")`);
  if (opts.build) for (const c of name.split('/')) checkWhiteout(c, where);
  const type = d.type;
  if (type !== 'file' && type !== 'directory' && type !== 'symlink') throw new UserError('INVALID_CONFIG', `${where}: type must be file, directory or symlink`);
  const content = type === 'file' ? Buffer.from(d.content ?? '', 'utf8') : undefined;
  if (type === 'symlink' && typeof d.target !== 'string') throw new UserError('INVALID_CONFIG', `${where}: symlink needs a target`);
  const e: PlanEntry = {
    name,
    type,
    mode: parseMode(d.mode, where) ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
    uname: d.uname ?? '',
    gname: d.gname ?? '',
    size: content?.length ?? 0,
    content,
    linkname: d.target,
    origin: 'declared',
  };
  if (d.by) e.by = d.by;
  return e;
}

interface CompiledPerm {
  index: number;
  path: string;
  re: RegExp;
  mode?: number;
  rule: PermRule;
}

function compilePerms(perms: PermRule[]): CompiledPerm[] {
  return perms.map((p, i) => {
    const where = `perms[${i}]`;
    if (typeof p.path !== 'string') throw new UserError('INVALID_CONFIG', `${where}: "path" must be a store path`);
    let re: RegExp;
    try {
      re = new RegExp(p.regex ?? '.*');
    } catch (e) {
      throw new UserError('INVALID_CONFIG', `${where}: invalid regex ${JSON.stringify(p.regex)}: ${(e as Error).message}`);
    }
    return { index: i, path: p.path, re, mode: parseMode(p.mode, where), rule: p };
  });
}

function applyPerms(e: PlanEntry, perms: CompiledPerm[]): void {
  if (perms.length === 0) return;
  const atRoot = e.origin.startsWith('copyToRoot:');
  const from = atRoot ? e.origin.slice('copyToRoot:'.length) : e.origin;
  const imagePath = e.name === '.' ? '/' : '/' + e.name;
  for (const p of perms) {
    if (p.path !== from || (p.rule.scope === 'root' && !atRoot) || !p.re.test(imagePath)) continue;
    if (p.mode !== undefined) e.mode = p.mode;
    if (p.rule.uid !== undefined) e.uid = p.rule.uid;
    if (p.rule.gid !== undefined) e.gid = p.rule.gid;
    if (p.rule.uname !== undefined) e.uname = p.rule.uname;
    if (p.rule.gname !== undefined) e.gname = p.rule.gname;
    (e.rules ??= []).push(p.index);
  }
}

function sameEntry(a: PlanEntry, b: PlanEntry): boolean {
  return a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.size === b.size && a.linkname === b.linkname;
}

/** Whether two host files of the same size hold the same bytes (only asked when two sources collide). */
function sameBytes(a: string, b: string, size: number): boolean {
  const fa = openSync(fsPath(a), 'r');
  try {
    const fb = openSync(fsPath(b), 'r');
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

function describeOrigin(e: PlanEntry): string {
  const o = e.origin;
  if (o === 'declared') return e.by ?? 'a declared entry';
  if (o === 'implicit') return 'an implicit parent directory';
  if (o.startsWith('copyToRoot:')) return `copyToRoot ${o.slice(11)}`;
  return `store path ${o}`;
}

const octal = (m: number): string => m.toString(8).padStart(4, '0');
const owner = (e: PlanEntry): string => `${e.uid}:${e.gid}${e.uname || e.gname ? ` (${e.uname || '-'}:${e.gname || '-'})` : ''}`;

/** What differs between two entries at one path, in words: type, mode, owner, content. */
function differences(a: PlanEntry, b: PlanEntry): { attrs: string[]; what: string[] } {
  const attrs: string[] = [];
  const what: string[] = [];
  if (a.type !== b.type) {
    attrs.push('type');
    what.push(`type (${a.type} vs ${b.type})`);
    return { attrs, what };
  }
  if (a.mode !== b.mode) {
    attrs.push('mode');
    what.push(`mode (${octal(a.mode)} vs ${octal(b.mode)})`);
  }
  if (a.uid !== b.uid || a.gid !== b.gid || a.uname !== b.uname || a.gname !== b.gname) {
    attrs.push('owner');
    what.push(`owner (${owner(a)} vs ${owner(b)})`);
  }
  if (a.type === 'symlink' && a.linkname !== b.linkname) {
    attrs.push('content');
    what.push(`link target (${showName(a.linkname ?? '')} vs ${showName(b.linkname ?? '')})`);
  } else if (a.type === 'file' && a.size !== b.size) {
    attrs.push('content');
    what.push(`content (${a.size} vs ${b.size} bytes)`);
  } else if (a.type === 'file' && attrs.length === 0) {
    attrs.push('content');
    what.push('content (same size, other bytes)');
  }
  return { attrs, what };
}

function describeRule(perms: CompiledPerm[], i: number): string {
  const r = perms[i].rule;
  const set = [
    r.mode !== undefined ? `mode ${r.mode}` : '',
    r.uid !== undefined ? `uid ${r.uid}` : '',
    r.gid !== undefined ? `gid ${r.gid}` : '',
    r.uname !== undefined ? `uname ${r.uname}` : '',
    r.gname !== undefined ? `gname ${r.gname}` : '',
  ].filter(Boolean);
  return `${r.by ? `${r.by}'s perms rule` : `perms[${i}]`} (regex ${JSON.stringify(r.regex ?? '.*')}: ${set.join(', ') || 'nothing'})`;
}

/** One side of a conflict: where the entry comes from and what set its attributes. */
function describeSide(e: PlanEntry, perms: CompiledPerm[]): string {
  const from = describeOrigin(e);
  if (e.rules?.length) return `${from}, with attributes set by ${e.rules.map((i) => describeRule(perms, i)).join(' and ')}`;
  if (e.origin === 'declared' || e.origin === 'implicit') return from;
  return `${from}, as in the store`;
}

/** The error for one path that two sources provide differently, with what to change. */
function conflictError(prev: PlanEntry, e: PlanEntry, perms: CompiledPerm[]): UserError {
  const path = '/' + showName(e.name);
  const { attrs, what } = differences(prev, e);
  const fixes: string[] = [];
  const ruleAttrs = attrs.filter((a) => a === 'mode' || a === 'owner');
  const rules = [...new Set([...(prev.rules ?? []), ...(e.rules ?? [])])].sort((a, b) => a - b);
  if (ruleAttrs.length > 0)
    for (const i of rules) {
      const r = perms[i].rule;
      fixes.push(`narrow the regex of ${r.by ? `${r.by}'s perms rule` : `perms[${i}]`} (${JSON.stringify(r.regex ?? '.*')}) so that it does not match ${JSON.stringify(path)}`);
    }
  if (prev.type === 'directory' && e.type === 'directory') {
    // The example keeps the attributes no rule changed, when one side has them.
    const plain = !prev.rules?.length ? prev : !e.rules?.length ? e : prev;
    fixes.push(`declare ${path} once, e.g. directories = [ { path = "${path}"; mode = "${octal(plain.mode)}"; } ]: a declared directory replaces what copyToRoot entries provide`);
  }
  else fixes.push(`keep only one of the two in copyToRoot${e.type === 'symlink' && prev.type === 'symlink' ? `, or declare ${path} once in symlinks` : ''}`);
  return new UserError(
    'LAYER_CONFLICT',
    `${path} is provided twice, with a different ${what.join(' and ')}: by ${describeSide(prev, perms)}; and by ${describeSide(e, perms)}`,
    fixes.join('; or '),
  );
}

/** Collects, merges and sorts the entries of one layer. */
export function planLayer(content: LayerContent, opts: PlanOptions = {}): PlanEntry[] {
  const perms = compilePerms(content.perms ?? []);
  const found: PlanEntry[] = [];
  for (const p of [...content.paths].sort()) {
    if (!p.startsWith('/nix/store/')) throw new UserError('LAYER_CONTENT', `layer path ${p} is not in /nix/store`);
    walk(p, p.slice(1), p, found, opts);
  }
  for (const r of content.copyToRoot ?? []) walkChildren(copyToRootDir(r), '.', `copyToRoot:${r}`, found, opts);
  const declared = (content.entries ?? []).map((d, i) => declaredToEntry(d, i, opts));
  // What copyToRoot entries disagree on, a declared entry at the same path settles.
  const declaredNames = new Set(declared.map((d) => d.name));

  const byName = new Map<string, PlanEntry>();
  const implicitDir = (name: string): PlanEntry => ({
    name, type: 'directory', mode: IMPLICIT_DIR, uid: 0, gid: 0, uname: '', gname: '', size: 0, origin: 'implicit',
  });
  byName.set('.', implicitDir('.'));
  if (content.paths.length > 0) {
    byName.set('nix', implicitDir('nix'));
    byName.set('nix/store', implicitDir('nix/store'));
  }
  for (const e of found) {
    applyPerms(e, perms);
    const prev = byName.get(e.name);
    if (!prev || prev.origin === 'implicit') {
      if (prev && e.type !== 'directory') {
        throw new UserError('LAYER_CONFLICT', `/${showName(e.name)} from ${describeOrigin(e)} must be a directory: other entries live under it`);
      }
      if (!prev || e.name !== 'nix' && e.name !== 'nix/store') byName.set(e.name, e);
      continue;
    }
    if (sameEntry(prev, e) && (e.type !== 'file' || e.source === prev.source || (e.size >= 0 && sameBytes(prev.source!, e.source!, e.size)))) continue;
    if (declaredNames.has(e.name)) continue;
    throw conflictError(prev, e, perms);
  }
  // Declared entries are explicit, so they win over what copyToRoot brought; a declared directory
  // over a store directory sets its attributes (as perms on that store path would).
  for (const d of declared) {
    const prev = byName.get(d.name);
    const identical = prev !== undefined && sameEntry(prev, d) && (prev.content === undefined || d.content === undefined || prev.content.equals(d.content));
    if (prev && prev.origin === 'declared' && !identical)
      throw new UserError('LAYER_CONFLICT', `/${d.name} is declared twice with different content${prev.by && d.by ? `: by ${prev.by} and by ${d.by}` : ''}`);
    if (prev && prev.origin.startsWith('/nix/store/') && !(prev.type === 'directory' && d.type === 'directory'))
      throw new UserError(
        'LAYER_CONFLICT',
        `/${d.name} is declared (${describeOrigin(d)}, a ${d.type}) but is also a ${prev.type} inside store path ${prev.origin}`,
        `declare a path outside that store path; to change the attributes of a store path's entries, use perms with path = that store path`,
      );
    byName.set(d.name, d);
  }
  // Every entry's parents must exist, as directories.
  for (const name of [...byName.keys()]) {
    let i = name.lastIndexOf('/');
    while (i > 0) {
      const parent = name.slice(0, i);
      const pe = byName.get(parent);
      if (!pe) byName.set(parent, implicitDir(parent));
      else if (pe.type !== 'directory') throw new UserError('LAYER_CONFLICT', `/${showName(name)} lies under /${showName(parent)}, which is a ${pe.type} (from ${describeOrigin(pe)})`);
      i = parent.lastIndexOf('/');
    }
  }
  return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
}
