// Turns a layer's declared content into the sorted list of tar entries the writer emits.
// Synchronous fs calls on purpose: one walk, thousands of tiny syscalls; thread-pool hops would dominate.
import { lstatSync, readdirSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import type { DeclaredEntry, LayerContent, PermRule } from '../image/schema.js';
import { UserError } from '../util/errors.js';

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
}

const IMPLICIT_DIR = 0o755;

function parseMode(mode: string | undefined, where: string): number | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (!/^[0-7]{1,4}$/.test(String(mode))) throw new UserError('INVALID_CONFIG', `${where}: mode ${JSON.stringify(mode)} is not an octal string like "0755" or "1777"`);
  return parseInt(String(mode), 8);
}

function typeOf(st: Stats, file: string): PlanEntry['type'] {
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  throw new UserError('LAYER_CONTENT', `${file}: unsupported file type (only files, directories and symlinks can go into a layer)`);
}

function checkName(name: string, file: string): void {
  if (name.includes('\uFFFD')) throw new UserError('LAYER_CONTENT', `${file}: file name is not valid UTF-8; longshore cannot store it faithfully`);
}

/** Walks a host path without following symlinks (a `posix -> ..` loop is just a symlink). */
function walk(hostPath: string, imageName: string, origin: string, out: PlanEntry[], skipSelf: boolean): void {
  let st: Stats;
  try {
    st = lstatSync(hostPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('STORE_PATH_MISSING', `store path ${hostPath} is missing (garbage-collected?); rebuild the image with nix-build to restore it`);
    throw new UserError('FILE_UNREADABLE', `cannot read ${hostPath}: ${code ?? e}`);
  }
  const type = typeOf(st, hostPath);
  if (!skipSelf) {
    const e = entryOf(imageName, type, st.mode & 0o7777, type === 'file' ? st.size : 0, origin);
    if (type === 'file') e.source = hostPath;
    if (type === 'symlink') e.linkname = readlinkSync(hostPath);
    out.push(e);
  }
  if (type === 'directory') walkChildren(hostPath, imageName, origin, out);
  else if (skipSelf) throw new UserError('INVALID_CONFIG', `copyToRoot entry ${hostPath} must be a directory`);
}

function entryOf(name: string, type: PlanEntry['type'], mode: number, size: number, origin: string): PlanEntry {
  return { name, type, mode, uid: 0, gid: 0, uname: '', gname: '', size, origin };
}

/**
 * Store files are not stat'ed here: the writer opens them anyway and takes size and mode from the
 * open file, which saves a system call per file. Symlinks are always mode 0777 on Linux.
 */
function walkChildren(hostPath: string, imageName: string, origin: string, out: PlanEntry[]): void {
  const deferStat = origin.startsWith('/nix/store/');
  const dirents: Dirent[] = readdirSync(hostPath, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of dirents) {
    const child = `${hostPath}/${d.name}`;
    checkName(d.name, child);
    const name = imageName === '.' ? d.name : `${imageName}/${d.name}`;
    if (deferStat && d.isFile()) {
      const e = entryOf(name, 'file', -1, -1, origin);
      e.source = child;
      out.push(e);
    } else if (d.isSymbolicLink()) {
      const e = entryOf(name, 'symlink', 0o777, 0, origin);
      e.linkname = readlinkSync(child);
      out.push(e);
    } else {
      walk(child, name, origin, out, false);
    }
  }
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

function declaredToEntry(d: DeclaredEntry, i: number): PlanEntry {
  const where = `declared entry ${i} (${d.path})`;
  if (typeof d.path !== 'string' || !d.path.startsWith('/') || d.path === '/') throw new UserError('INVALID_CONFIG', `${where}: path must be absolute and not "/"`);
  const name = d.path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (name.split('/').some((c) => c === '..' || c === '.' || c === '')) throw new UserError('INVALID_CONFIG', `${where}: path must be normalised (no ".", ".." or "//")`);
  const type = d.type;
  if (type !== 'file' && type !== 'directory' && type !== 'symlink') throw new UserError('INVALID_CONFIG', `${where}: type must be file, directory or symlink`);
  const content = type === 'file' ? Buffer.from(d.content ?? '', 'utf8') : undefined;
  if (type === 'symlink' && typeof d.target !== 'string') throw new UserError('INVALID_CONFIG', `${where}: symlink needs a target`);
  return {
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
}

interface CompiledPerm {
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
    return { path: p.path, re, mode: parseMode(p.mode, where), rule: p };
  });
}

function applyPerms(e: PlanEntry, perms: CompiledPerm[]): void {
  if (perms.length === 0) return;
  const from = e.origin.startsWith('copyToRoot:') ? e.origin.slice('copyToRoot:'.length) : e.origin;
  const imagePath = e.name === '.' ? '/' : '/' + e.name;
  for (const p of perms) {
    if (p.path !== from || !p.re.test(imagePath)) continue;
    if (p.mode !== undefined) e.mode = p.mode;
    if (p.rule.uid !== undefined) e.uid = p.rule.uid;
    if (p.rule.gid !== undefined) e.gid = p.rule.gid;
    if (p.rule.uname !== undefined) e.uname = p.rule.uname;
    if (p.rule.gname !== undefined) e.gname = p.rule.gname;
  }
}

function sameEntry(a: PlanEntry, b: PlanEntry): boolean {
  return a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.size === b.size && a.linkname === b.linkname;
}

function describeOrigin(o: string): string {
  if (o === 'declared') return 'a declared entry';
  if (o === 'implicit') return 'an implicit parent directory';
  if (o.startsWith('copyToRoot:')) return `copyToRoot ${o.slice(11)}`;
  return `store path ${o}`;
}

/** Collects, merges and sorts the entries of one layer. */
export function planLayer(content: LayerContent): PlanEntry[] {
  const perms = compilePerms(content.perms ?? []);
  const found: PlanEntry[] = [];
  for (const p of [...content.paths].sort()) {
    if (!p.startsWith('/nix/store/')) throw new UserError('LAYER_CONTENT', `layer path ${p} is not in /nix/store`);
    walk(p, p.slice(1), p, found, false);
  }
  for (const r of content.copyToRoot ?? []) walk(r, '.', `copyToRoot:${r}`, found, true);
  const declared = (content.entries ?? []).map(declaredToEntry);

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
        throw new UserError('LAYER_CONFLICT', `/${e.name} from ${describeOrigin(e.origin)} must be a directory: other entries live under it`);
      }
      if (!prev || e.name !== 'nix' && e.name !== 'nix/store') byName.set(e.name, e);
      continue;
    }
    if (sameEntry(prev, e) && (e.type === 'directory' || e.source === prev.source)) continue;
    throw new UserError(
      'LAYER_CONFLICT',
      `/${e.name} is provided twice with different content or permissions: by ${describeOrigin(prev.origin)} and by ${describeOrigin(e.origin)}`,
    );
  }
  // Declared entries are explicit, so they win over what copyToRoot brought.
  for (const d of declared) {
    const prev = byName.get(d.name);
    const identical = prev !== undefined && sameEntry(prev, d) && (prev.content === undefined || d.content === undefined || prev.content.equals(d.content));
    if (prev && prev.origin === 'declared' && !identical)
      throw new UserError('LAYER_CONFLICT', `/${d.name} is declared twice with different content`);
    if (prev && prev.origin.startsWith('/nix/store/')) throw new UserError('LAYER_CONFLICT', `/${d.name} is declared but is also inside store path ${prev.origin}`);
    byName.set(d.name, d);
  }
  // Every entry's parents must exist, as directories.
  for (const name of [...byName.keys()]) {
    let i = name.lastIndexOf('/');
    while (i > 0) {
      const parent = name.slice(0, i);
      const pe = byName.get(parent);
      if (!pe) byName.set(parent, implicitDir(parent));
      else if (pe.type !== 'directory') throw new UserError('LAYER_CONFLICT', `/${name} lies under /${parent}, which is a ${pe.type} (from ${describeOrigin(pe.origin)})`);
      i = parent.lastIndexOf('/');
    }
  }
  return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
}
