// Reading what we wrote, with tools that are not ours: skopeo, umoci, python's tarfile.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function sha256File(file: string): string {
  return 'sha256:' + createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every file under dir (relative path → bytes), for byte-for-byte comparisons. */
export function treeBytes(dir: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of treeBytes(dir, r)) out.set(k, v);
    else out.set(r, readFileSync(join(dir, r)));
  }
  return out;
}

export async function skopeoInspect(ref: string): Promise<{ Layers: string[]; Architecture: string; Os: string; Env: string[] | null }> {
  const r = await execa('skopeo', ['inspect', ref]);
  return JSON.parse(r.stdout);
}

export async function skopeoConfig(ref: string): Promise<{ config: Record<string, unknown>; rootfs: { diff_ids: string[] } }> {
  const r = await execa('skopeo', ['inspect', '--config', ref]);
  return JSON.parse(r.stdout);
}

/** Unpacks an OCI layout with umoci as root, so owners and modes are kept. Returns the rootfs. */
export async function umociUnpack(layoutRef: string, bundle: string): Promise<string> {
  await execa('umoci', ['unpack', '--image', layoutRef, bundle]);
  return join(bundle, 'rootfs');
}

export interface TarMember {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  linkname: string;
  pax: Record<string, string>;
}

/** Lists a tar with Python's tarfile: an independent reader of our headers. */
export async function listTar(file: string): Promise<TarMember[]> {
  const py = `
import json, sys, tarfile
out = []
with tarfile.open(sys.argv[1], 'r:') as t:
    for m in t:
        ty = 'dir' if m.isdir() else 'symlink' if m.issym() else 'hardlink' if m.islnk() else 'file' if m.isfile() else 'other'
        out.append(dict(name=m.name, type=ty, mode=m.mode, uid=m.uid, gid=m.gid, mtime=m.mtime, size=m.size, linkname=m.linkname, pax=m.pax_headers))
print(json.dumps(out))
`;
  const r = await execa('python3', ['-c', py, file]);
  return JSON.parse(r.stdout);
}
