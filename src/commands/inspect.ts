// `longshore inspect FILE`: an image JSON's layers, or an index JSON's images (each with its
// platform, manifest and layers).
import { openSource } from './image.js';
import type { ResolvedImage } from '../image/model.js';
import type { ImageFile } from '../image/schema.js';
import { platformString } from '../image/platform.js';
import { count, humanBytes, shortDigest, table } from '../util/human.js';

function imageJson(img: ImageFile, r: ResolvedImage) {
  return {
    name: img.name,
    tag: r.tag,
    manifestDigest: r.manifest.digest,
    configDigest: r.config.digest,
    arch: img.arch,
    os: img.os,
    ...(img.variant ? { variant: img.variant } : {}),
    created: img.created,
    totalSize: img.layers.reduce((a, l) => a + l.size, 0),
    ...(r.annotations ? { annotations: r.annotations } : {}),
    config: img.config,
    layers: img.layers.map((l) => ({
      digest: l.digest,
      diffID: l.diffID,
      size: l.size,
      mediaType: l.mediaType,
      paths: l.blob ? [] : l.paths,
      copyToRoot: l.copyToRoot,
      declared: l.entries.map((e) => e.path),
      blob: l.blob,
    })),
  };
}

function imageText(img: ImageFile, r: ResolvedImage): string {
  const rows = [['#', 'DIGEST', 'SIZE', 'CONTENT']];
  img.layers.forEach((l, i) => {
    const content = l.blob
      ? [`base layer ${l.blob}`]
      : [...l.paths, ...l.copyToRoot.map((p) => `copyToRoot ${p}`), ...(l.entries.length ? [`${l.entries.length} declared entries (${l.entries.map((e) => e.path).join(', ')})`] : [])];
    content.forEach((c, j) => rows.push(j === 0 ? [String(i + 1), shortDigest(l.digest), humanBytes(l.size), c] : ['', '', '', c]));
    if (content.length === 0) rows.push([String(i + 1), shortDigest(l.digest), humanBytes(l.size), '(empty)']);
  });
  const total = img.layers.reduce((a, l) => a + l.size, 0);
  const notes = r.annotations ? Object.entries(r.annotations).map(([k, v]) => `annotation ${k}=${v}\n`).join('') : '';
  return `${img.name ?? '(unnamed)'}:${r.tag ?? ''}  ${platformString(r.platform)}  ${count(img.layers.length, 'layer')}, ${humanBytes(total)}\nmanifest ${r.manifest.digest}\n${notes}\n` + table(rows) + '\n';
}

export function inspectCommand(args: { image: string; json?: boolean }): void {
  const src = openSource(args.image);
  if (src.kind === 'image' && src.files.kind === 'image') {
    const out = args.json ? JSON.stringify({ kind: 'image', ...imageJson(src.files.file, src.image) }, null, 2) + '\n' : imageText(src.files.file, src.image);
    process.stdout.write(out);
    return;
  }
  if (src.kind !== 'index' || src.files.kind !== 'index') return;
  const { index } = src;
  const files = src.files.loaded.images.map((c) => c.file);
  if (args.json) {
    const out = {
      kind: 'index',
      name: index.name,
      tag: index.tag,
      // The index as the image JSONs imply it (layers uncompressed); a push that compresses lists other manifests.
      indexDigest: index.index.digest,
      ...(index.annotations ? { annotations: index.annotations } : {}),
      images: index.images.map((r, i) => ({ platform: platformString(r.platform), source: r.source, ...imageJson(files[i], r) })),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const notes = index.annotations ? Object.entries(index.annotations).map(([k, v]) => `annotation ${k}=${v}\n`).join('') : '';
  const rows = [['PLATFORM', 'MANIFEST', 'LAYERS', 'SIZE', 'IMAGE JSON']];
  index.images.forEach((r, i) => rows.push([platformString(r.platform), shortDigest(r.manifest.digest), String(r.layers.length), humanBytes(files[i].layers.reduce((a, l) => a + l.size, 0)), r.source]));
  let out = `${index.name ?? '(unnamed)'}:${index.tag ?? ''}  image index of ${count(index.images.length, 'image')}\nindex ${index.index.digest}\n${notes}\n${table(rows)}\n`;
  index.images.forEach((r, i) => (out += `\n${imageText(files[i], r)}`));
  process.stdout.write(out);
}
