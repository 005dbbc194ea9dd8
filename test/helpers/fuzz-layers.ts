// The round-trip property of the tar writer: random trees (seeded, one seed per tree) imported as a
// store path, built into an image with that path in copyToRoot and random perms rules on the copy at
// /, copied to oci:, unpacked by GNU tar (from the layer blob) and by umoci, and compared with the
// store path. Used by test/e2e/roundtrip.test.ts (a few hundred trees) and `npm run fuzz -- layers`.
//
// Names are compared as bytes (held here as latin1 strings: one character per byte). "Identical"
// means the same names, types, permission bits (setuid, setgid and sticky included), owners, link
// targets and file contents; mtimes are fixed by the writer and not compared. Hard links: neither a
// NAR (so no store path) nor a longshore layer keeps them, so each name is a regular file with the
// content and mode of the original. Sparse files: the same size and bytes (holes read as zeros); the
// store holds them dense and the layer as regular files, so allocation is not compared.
//
// What Nix itself refuses or changes when the tree is imported (nix-store --add), and so the
// property cannot cover through a store path: FIFOs, sockets and devices (refused: "has an
// unsupported type", so never generated); setuid, setgid and sticky bits, owners and any mode but
// the owner's executable bit (store files become 0444 or 0555, directories 0555, owned by root):
// those bits are exercised through perms rules on the copy at / instead; hard links (the NAR has
// none); sparseness. Names starting with ".wh." are left out: OCI tools take them for whiteouts, and
// longshore refuses them at build time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { longshore, nixBuild, NIX_OPTS, tmp } from './nix.js';
import { umociUnpack } from './oci.js';
import { loadImageFile } from '../../src/image/schema.js';

/** Longest path inside a tree, in bytes: what stays under Linux's 4096-byte PATH_MAX with every prefix the check adds. */
export const MAX_REL = 3900;

export interface Rng {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(a: readonly T[]): T;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, chance: (p) => next() < p, pick: (arr) => arr[int(arr.length)] };
}

const lat = (s: string): Buffer => Buffer.from(s, 'latin1');
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';

/** Any byte but NUL and "/". */
const anyByte = (r: Rng): number => {
  const b = 1 + r.int(254);
  return b === 0x2f ? 0x2e : b;
};

function long255(r: Rng): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  while (n < 255) {
    const piece = r.chance(0.6) ? Buffer.from(ALNUM[r.int(ALNUM.length)]) : r.chance(0.5) ? Buffer.from(r.pick(['ü', '名', '😀']), 'utf8') : Buffer.of(0x80 + r.int(0x80));
    if (n + piece.length > 255) break;
    parts.push(piece);
    n += piece.length;
  }
  while (n < 255) {
    parts.push(Buffer.from('z'));
    n++;
  }
  return Buffer.concat(parts);
}

function candidate(r: Rng): Buffer {
  switch (r.int(12)) {
    case 0:
      return Buffer.from(Array.from({ length: 1 + r.int(12) }, () => anyByte(r)));
    case 1: // ISO-8859-1
      return Buffer.concat([Buffer.from(r.pick(['file-', 'Datei-', 'x', ''])), Buffer.of(0xa0 + r.int(0x60)), Buffer.from(r.pick(['.txt', '', '-1']))]);
    case 2:
      return Buffer.from(r.pick(['a b', ' lead', 'trail ', 'line\nbreak', '\n', 'tab\there', 'cr\r', '  ', 'two\n\nlines']));
    case 3:
      return Buffer.from(r.pick(['back\\slash', '\\', '\\\\n', 'C:\\x', 'end\\']));
    case 4:
      return Buffer.from(r.pick(['-', '-rf', '--help', '-n', '--', '-x y']));
    case 5:
      return Buffer.from(r.pick(['ünïcødé', '名前', '😀', '\uFFFD', 'e\u0301', 'Ωmega', 'ß', '\u2028sep', '\u00a0nbsp']), 'utf8');
    case 6:
      return long255(r);
    case 7:
      return Buffer.from(r.pick(['...', '.hidden', '..x', 'x.', '.wh', '.w', '.-', '.wh_']));
    case 8:
      return Buffer.from(r.pick(['*', '?', '$HOME', '`id`', "'", '"', '[a]', '~', '#', '%s', '&', ';', '|', '<>', '=', ':']));
    case 9: // sequences that are almost UTF-8
      return Buffer.from(r.pick([[0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xef, 0xbf, 0xbd], [0xf4, 0x90, 0x80, 0x80], [0x80]]));
    default:
      return Buffer.from(Array.from({ length: 1 + r.int(16) }, () => ALNUM[r.int(ALNUM.length)]).join(''));
  }
}

export function genName(r: Rng): Buffer {
  for (;;) {
    const b = candidate(r);
    const s = b.toString('latin1');
    if (b.length === 0 || b.length > 255 || s === '.' || s === '..' || s.startsWith('.wh.')) continue;
    return b;
  }
}

export interface GenOptions {
  /** Entries per tree, at most. */
  maxEntries: number;
  /** The largest sparse file, in bytes. */
  bigFile: number;
}

interface GenState {
  r: Rng;
  entries: number;
  files: Buffer[];
  bigLeft: number;
  opts: GenOptions;
}

const FILE_MODES = [0o644, 0o755, 0o600, 0o444, 0o555, 0o700, 0o4755, 0o2755, 0o1644];
const DIR_MODES = [0o755, 0o700, 0o555, 0o1777, 0o2755];

function content(r: Rng): Buffer {
  switch (r.int(5)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return Buffer.alloc(r.pick([511, 512, 513, 1024]), 0x61 + r.int(26));
    default:
      return Buffer.from(Array.from({ length: 1 + r.int(3000) }, () => r.int(256)));
  }
}

function genFile(s: GenState, p: Buffer): void {
  writeFileSync(p, content(s.r));
  chmodSync(p, s.r.pick(FILE_MODES));
  s.files.push(p);
}

function genSparse(s: GenState, p: Buffer): void {
  const size = 1 + s.r.int(s.opts.bigFile);
  const fd = openSync(p, 'w');
  try {
    ftruncateSync(fd, size);
    for (let k = s.r.int(4); k > 0; k--) writeSync(fd, Buffer.from('data'), 0, 4, s.r.int(Math.max(1, size - 4)));
  } finally {
    closeSync(fd);
  }
  s.bigLeft -= size;
  s.files.push(p);
}

function symlinkTarget(s: GenState, name: Buffer, siblings: Buffer[]): Buffer {
  const r = s.r;
  switch (r.int(11)) {
    case 0:
      return lat('..');
    case 1:
      return lat('../..');
    case 2:
      return lat('.');
    case 3:
      return lat(r.pick(['/etc/passwd', '/', '/nix/store/' + 'x'.repeat(32) + '-missing', '/bin/sh']));
    case 4:
      return Buffer.concat([lat('nowhere/'), genName(r)]); // dangling
    case 5:
      return name; // a loop on itself
    case 6:
      return siblings.length ? r.pick(siblings) : genName(r);
    case 7:
      return genName(r); // odd bytes
    case 8:
      return lat('a/'.repeat(1 + r.int(800)) + 'end'); // long
    case 9:
      return Buffer.concat([lat('../'), siblings.length ? r.pick(siblings) : lat('x'), lat('/inside')]);
    default:
      return Buffer.concat([lat('./'), genName(r)]);
  }
}

function genDir(s: GenState, dir: Buffer, relLen: number, depth: number): void {
  const r = s.r;
  const used = new Set<string>();
  const made: Buffer[] = [];
  const count = depth === 0 ? 1 + r.int(10) : r.int(6);
  for (let i = 0; i < count && s.entries < s.opts.maxEntries; i++) {
    const n = genName(r);
    const key = n.toString('latin1');
    const childRel = relLen === 0 ? n.length : relLen + 1 + n.length;
    if (used.has(key) || childRel > MAX_REL) continue;
    used.add(key);
    s.entries++;
    const p = Buffer.concat([dir, lat('/'), n]);
    const k = r.next();
    if (k < 0.33) genFile(s, p);
    else if (k < 0.5 && depth < 6) {
      mkdirSync(p);
      genDir(s, p, childRel, depth + 1);
      chmodSync(p, r.pick(DIR_MODES));
    } else if (k < 0.68) {
      symlinkSync(symlinkTarget(s, n, made), p);
    } else if (k < 0.72) {
      // A pair of symlinks to each other.
      const other = genName(r);
      const ok = other.toString('latin1');
      if (used.has(ok) || (relLen === 0 ? other.length : relLen + 1 + other.length) > MAX_REL) {
        symlinkSync(n, p);
      } else {
        used.add(ok);
        symlinkSync(other, p);
        symlinkSync(n, Buffer.concat([dir, lat('/'), other]));
      }
    } else if (k < 0.78 && s.files.length > 0) {
      linkSync(r.pick(s.files), p); // a hard link
    } else if (k < 0.84) {
      mkdirSync(p); // empty
      chmodSync(p, r.pick(DIR_MODES));
    } else if (k < 0.88) {
      genDeep(s, p, childRel);
    } else if (k < 0.9 && s.bigLeft > 0) {
      genSparse(s, p);
    } else {
      genFile(s, p);
    }
    made.push(n);
  }
}

/** A chain of directories (often of 255-byte names) down to a path length near MAX_REL, with a file at the bottom. */
function genDeep(s: GenState, p: Buffer, rel: number): void {
  const r = s.r;
  const target = Math.min(MAX_REL, 1500 + r.int(MAX_REL - 1500 + 1));
  mkdirSync(p);
  let dir = p;
  let len = rel;
  for (let depth = 0; depth < 200; depth++) {
    const n = r.chance(0.5) ? long255(r) : genName(r);
    if (len + 1 + n.length > target) break;
    dir = Buffer.concat([dir, lat('/'), n]);
    len += 1 + n.length;
    if (len + 2 > target || r.chance(0.02)) {
      writeFileSync(dir, content(r));
      s.files.push(dir);
      return;
    }
    mkdirSync(dir);
  }
  const leaf = Buffer.concat([dir, lat('/f')]);
  if (len + 2 <= MAX_REL) {
    writeFileSync(leaf, 'deep');
    s.files.push(leaf);
  }
}

/** A random tree at dir/t<seed>, from that seed alone. */
export function generateTree(dir: string, seed: number, opts: GenOptions): void {
  const root = Buffer.from(join(dir, `t${seed}`));
  mkdirSync(root);
  const s: GenState = { r: rng(seed), entries: 0, files: [], bigLeft: opts.bigFile, opts };
  genDir(s, root, 0, 0);
}

export interface PermsRule {
  regex: string;
  mode?: string;
  uid?: number;
  gid?: number;
  uname?: string;
}

/**
 * perms rules for tree `seed`'s copy at / (drawn from the same seed). Half are not anchored, so that
 * they would match the store copy's paths too (/nix/store/…/t<seed>/…) if a rule on a copyToRoot
 * entry reached it. Their regexes use only ASCII, "[^/]" and anchors, so that they match the same
 * paths whether a name is read as bytes (here) or as longshore's strings: "." would not (U+2028 ends
 * a line for it).
 */
export function permsFor(seed: number): PermsRule[] {
  const r = rng(seed ^ 0x5bd1e995);
  const out: PermsRule[] = [];
  for (let k = r.int(3); k > 0; k--) {
    const rule: PermsRule = { regex: (r.chance(0.5) ? '^' : '') + `/t${seed}` + r.pick(['(/|$)', '/[^/]*$', '(/[^/]*)*/[^/]*[aeiou][^/]*$', '$', '/[^/]*/[^/]*$', '(/[^/]*)*-[^/]*$', '(/[^/]*)*/[^/]*[0-9]$']) };
    if (r.chance(0.8)) rule.mode = r.pick(['4755', '2755', '1777', '6711', '0700', '0444', '7777', '0000', '1755']);
    if (r.chance(0.5)) rule.uid = r.pick([0, 1000, 65534, 3000000]);
    if (r.chance(0.5)) rule.gid = r.pick([0, 100, 65534, 4000000]);
    if (r.chance(0.2)) rule.uname = 'app';
    out.push(rule);
  }
  return out;
}

export interface Node {
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  target?: string;
  size?: number;
  hash?: string;
}

/** Every entry under root (keys relative, latin1, "" for root itself). */
export function snapshot(root: string): Map<string, Node> {
  const out = new Map<string, Node>();
  const visit = (abs: Buffer, rel: string): void => {
    const st = lstatSync(abs);
    const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (st.isSymbolicLink()) out.set(rel, { type: 'symlink', ...base, mode: 0, target: readlinkSync(abs, { encoding: 'buffer' }).toString('latin1') });
    else if (st.isFile()) out.set(rel, { type: 'file', ...base, size: st.size, hash: createHash('sha256').update(readFileSync(abs)).digest('hex') });
    else if (st.isDirectory()) {
      out.set(rel, { type: 'dir', ...base });
      for (const n of readdirSync(abs, { encoding: 'buffer' })) visit(Buffer.concat([abs, lat('/'), n]), rel ? `${rel}/${n.toString('latin1')}` : n.toString('latin1'));
    } else throw new Error(`${abs.toString('latin1')}: unexpected file type`);
  };
  visit(Buffer.from(root), '');
  return out;
}

const show = (s: string): string => JSON.stringify(s).replace(/[\u0080-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);

/** The seed of the tree a relative path belongs to ("t123/…"). */
const seedOf = (rel: string): string => /^t(\d+)/.exec(rel)?.[1] ?? '?';

export class TreeMismatch extends Error {
  constructor(
    readonly seed: string,
    message: string,
  ) {
    super(`tree seed ${seed}: ${message}\n  reproduce: npm run fuzz -- layers --seed ${seed} --trees 1`);
  }
}

/** Compares two snapshots; `where` names the copy. Throws a TreeMismatch at the first difference. */
export function compare(expected: Map<string, Node>, got: Map<string, Node>, where: string, prefix: string, opts: { modes?: boolean; owners?: boolean } = {}): void {
  const keys = new Set([...expected.keys(), ...got.keys()]);
  for (const k of [...keys].sort()) {
    const e = expected.get(k);
    const g = got.get(k);
    const seed = seedOf(prefix + k);
    if (!e) throw new TreeMismatch(seed, `${where}: ${show(prefix + k)} is there but should not be (${g!.type})`);
    if (!g) throw new TreeMismatch(seed, `${where}: ${show(prefix + k)} is missing (a ${e.type})`);
    const diff = (what: string, a: unknown, b: unknown) => {
      if (a !== b) throw new TreeMismatch(seed, `${where}: ${show(prefix + k)}: ${what} is ${JSON.stringify(b)}, expected ${JSON.stringify(a)}`);
    };
    diff('type', e.type, g.type);
    if (e.type === 'symlink') diff('link target', e.target && show(e.target), g.target && show(g.target));
    if (e.type === 'file') {
      diff('size', e.size, g.size);
      diff('content', e.hash, g.hash);
    }
    if (opts.modes !== false && e.type !== 'symlink') diff('mode', e.mode.toString(8), g.mode.toString(8));
    if (opts.owners !== false) diff('owner', `${e.uid}:${e.gid}`, `${g.uid}:${g.gid}`);
  }
}

/** What the copy at / of the store path's tree should be: its entries, with the perms rules applied in order. */
export function expectedRoot(store: Map<string, Node>, rules: PermsRule[]): Map<string, Node> {
  const res = rules.map((r) => new RegExp(r.regex));
  const out = new Map<string, Node>();
  for (const [k, n] of store) {
    if (k === '') continue; // "/" is the image's own root, not part of the entry
    const e: Node = { ...n, uid: 0, gid: 0 };
    for (const [i, rule] of rules.entries()) {
      if (!res[i].test('/' + k)) continue;
      if (rule.mode !== undefined) e.mode = parseInt(rule.mode, 8);
      if (rule.uid !== undefined) e.uid = rule.uid;
      if (rule.gid !== undefined) e.gid = rule.gid;
    }
    out.set(k, e);
  }
  return out;
}

/** The store path as Nix makes it from the generated tree: modes canonical, owned by root. */
function nixModel(gen: Map<string, Node>): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const [k, n] of gen) {
    const mode = n.type === 'dir' ? 0o555 : n.type === 'file' ? (n.mode & 0o100 ? 0o555 : 0o444) : 0;
    out.set(k, { ...n, mode, uid: 0, gid: 0 });
  }
  return out;
}

export interface BatchOptions extends Partial<GenOptions> {
  /** Seeds of the trees in this batch. */
  seeds: number[];
  /** Where progress lines go. */
  log?: (m: string) => void;
  /** Keep the work directory (for a failure to look at). */
  keep?: boolean;
}

export interface BatchResult {
  entries: number;
  seconds: Record<string, number>;
}

/** One batch: generate, import, build, copy, unpack twice, compare. Throws a TreeMismatch on a difference. */
export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  const log = o.log ?? (() => {});
  const gen: GenOptions = { maxEntries: o.maxEntries ?? 60, bigFile: o.bigFile ?? 2 << 20 };
  const work = tmp('longshore-fuzz-');
  const seconds: Record<string, number> = {};
  let t = performance.now();
  const lap = (what: string) => {
    const now = performance.now();
    seconds[what] = Math.round(now - t) / 1000;
    t = now;
  };
  const batch = join(work, `fuzz-${o.seeds[0]}-${o.seeds.length}`);
  mkdirSync(batch);
  let storePath: string | undefined;
  let image: string | undefined;
  try {
    for (const seed of o.seeds) generateTree(batch, seed, gen);
    lap('generate');
    storePath = (await execa('nix-store', ['--add', batch])).stdout.trim();
    lap('nix-store --add');
    // Nix keeps every name, type, link target and content; modes become canonical.
    const store = snapshot(storePath);
    compare(nixModel(snapshot(batch)), store, 'the store path (nix-store --add)', '');
    const rules = o.seeds.flatMap(permsFor);
    const nixRules = rules.map((r) => `{ path = s; regex = ${JSON.stringify(r.regex)};${r.mode ? ` mode = "${r.mode}";` : ''}${r.uid !== undefined ? ` uid = ${r.uid};` : ''}${r.gid !== undefined ? ` gid = ${r.gid};` : ''}${r.uname ? ` uname = "${r.uname}";` : ''} }`);
    image = await nixBuild(`let s = builtins.storePath "${storePath}"; in longshore.buildImage { name = "fuzz"; copyToRoot = s; perms = [ ${nixRules.join(' ')} ]; }`);
    lap('build');
    const img = loadImageFile(image);
    assert.equal(img.layers.length, 1);
    const layout = join(work, 'oci');
    const r = await longshore(['copy', '-q', image, `oci:${layout}:t`]);
    if (r.exitCode !== 0) throw new Error(`longshore copy failed (seeds ${o.seeds[0]}…): ${(r.all ?? '').slice(0, 2000)}`);
    lap('copy');
    const blob = join(layout, 'blobs/sha256', img.layers[0].digest.slice(7));
    const gnu = join(work, 'gnu');
    mkdirSync(gnu);
    const x = await execa('tar', ['-x', '--numeric-owner', '-p', '--warning=no-unknown-keyword', '-f', blob, '-C', gnu], { reject: false, all: true });
    if (x.exitCode !== 0) throw new Error(`GNU tar failed on the layer (seeds ${o.seeds[0]}…): ${(x.all ?? '').slice(0, 2000)}`);
    lap('GNU tar');
    const rootfs = await umociUnpack(`${layout}:t`, join(work, 'bundle'));
    lap('umoci');
    const expectedStore = new Map([...store].map(([k, n]) => [k, { ...n, uid: 0, gid: 0 }]));
    const root = expectedRoot(store, rules);
    for (const [name, dir] of [['GNU tar', gnu], ['umoci', rootfs]]) {
      compare(expectedStore, snapshot(join(dir, storePath)), `${name}, the store copy`, '');
      const top = snapshot(dir);
      const atRoot = new Map([...top].filter(([k]) => k !== '' && k !== 'nix' && !k.startsWith('nix/')));
      compare(root, atRoot, `${name}, the copy at /`, '');
    }
    lap('compare');
    log(`seeds ${o.seeds[0]}..${o.seeds[o.seeds.length - 1]}: ${store.size} entries, ${JSON.stringify(seconds)}`);
    return { entries: store.size, seconds };
  } finally {
    if (!o.keep) {
      rmSync(work, { recursive: true, force: true });
      if (image || storePath) await execa('nix-store', ['--delete', ...[image, storePath].filter((p): p is string => !!p), ...NIX_OPTS], { reject: false });
    } else log(`kept ${work}`);
  }
}
