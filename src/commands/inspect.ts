import { openImage } from './image.js';
import { humanBytes, shortDigest, table } from '../util/human.js';

export function inspectCommand(args: { image: string; json?: boolean }): void {
  const { file: img, image: r } = openImage(args.image);
  if (args.json) {
    const out = {
      name: img.name,
      tag: r.tag,
      manifestDigest: r.manifest.digest,
      configDigest: r.config.digest,
      arch: img.arch,
      os: img.os,
      created: img.created,
      totalSize: img.layers.reduce((a, l) => a + l.size, 0),
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
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const rows = [['#', 'DIGEST', 'SIZE', 'CONTENT']];
  img.layers.forEach((l, i) => {
    const content = l.blob
      ? [`base layer ${l.blob}`]
      : [...l.paths, ...l.copyToRoot.map((p) => `copyToRoot ${p}`), ...(l.entries.length ? [`${l.entries.length} declared entries (${l.entries.map((e) => e.path).join(', ')})`] : [])];
    content.forEach((c, j) => rows.push(j === 0 ? [String(i + 1), shortDigest(l.digest), humanBytes(l.size), c] : ['', '', '', c]));
    if (content.length === 0) rows.push([String(i + 1), shortDigest(l.digest), humanBytes(l.size), '(empty)']);
  });
  const total = img.layers.reduce((a, l) => a + l.size, 0);
  process.stdout.write(
    `${img.name ?? '(unnamed)'}:${r.tag ?? ''}  ${img.os}/${img.arch}  ${img.layers.length} layers, ${humanBytes(total)}\nmanifest ${r.manifest.digest}\n\n` +
      table(rows) +
      '\n',
  );
}
