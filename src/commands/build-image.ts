// Build time: assemble the image JSON from layers JSON files and the user's config.
import { writeFileSync } from 'node:fs';
import { readNixAttrs } from '../nix-attrs.js';
import { normaliseConfig } from '../image/config.js';
import { FORMAT_VERSION, loadLayersFile, type BaseImageInfo, type ImageFile, type LayerRecord } from '../image/schema.js';
import { mergeBaseConfig } from '../image/base.js';
import { UserError } from '../util/errors.js';
import { COMPRESSIONS, type Compression } from '../image/media-types.js';
import { LEVELS } from '../compress/encoding.js';
import { checkTag, parseName } from '../reference/reference.js';
import { buildLayers, MAX_LAYERS_HARD, parseLayerSpec, tooManyLayers, type LayerCounts } from './build-layers.js';
import { graphNodes } from '../nix-attrs.js';

export interface ImageSpec {
  name: string;
  tag?: string | null;
  config?: unknown;
  created?: string;
  arch: string;
  os?: string;
  variant?: string;
  layers: string[]; // layers JSON files, bottom first
  /** buildImage's `compression` and `compressionLevel`. */
  compression?: { type?: unknown; level?: unknown } | null;
  /** buildImage's `annotations`: the manifest's. */
  annotations?: unknown;
}

/** buildImage's annotations: strings to strings; none is no "annotations" key (manifests stay as they were). */
function imageAnnotations(a: unknown): Record<string, string> | undefined {
  if (a === undefined || a === null) return undefined;
  if (typeof a !== 'object' || Array.isArray(a) || Object.values(a).some((v) => typeof v !== 'string'))
    throw new UserError('INVALID_CONFIG', 'buildImage: annotations must be an attribute set of strings, e.g. { "org.opencontainers.image.revision" = "…"; }');
  return Object.keys(a).length ? (a as Record<string, string>) : undefined;
}

/** buildImage's compression arguments, checked as the CLI checks --compression. */
function imageCompression(c: ImageSpec['compression']): ImageFile['compression'] {
  if (c === undefined || c === null) return undefined;
  if (!COMPRESSIONS.includes(c.type as Compression)) throw new UserError('INVALID_CONFIG', `buildImage: compression ${JSON.stringify(c.type)} is not one of ${COMPRESSIONS.map((x) => `"${x}"`).join(', ')}`);
  const type = c.type as Compression;
  if (c.level === undefined || c.level === null) return { type };
  if (type === 'none') throw new UserError('INVALID_CONFIG', 'buildImage: compressionLevel needs compression = "gzip" or "zstd"');
  const range = LEVELS[type];
  if (typeof c.level !== 'number' || !Number.isInteger(c.level) || c.level < range.min || c.level > range.max)
    throw new UserError('INVALID_CONFIG', `buildImage: compressionLevel for ${type} runs from ${range.min} to ${range.max}, not ${JSON.stringify(c.level)}`);
  return { type, level: c.level };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `ownCounts`: how buildLayers made `own` (the first `ownCounts.layers` from `layers`, the rest its
 * own), so that too many layers is pinned on the argument that made them.
 */
export function assembleImage(spec: ImageSpec, own: LayerRecord[] = [], ownCounts?: LayerCounts): ImageFile {
  if (!spec.name || typeof spec.name !== 'string') throw new UserError('INVALID_CONFIG', 'buildImage: "name" is required');
  // The same checks as nix/reference.nix makes at evaluation time.
  parseName(spec.name, `buildImage: name ${JSON.stringify(spec.name)}`);
  if (spec.tag != null) checkTag(spec.tag, 'buildImage');
  const created = spec.created ?? '1970-01-01T00:00:01Z';
  if (created !== 'now' && !RFC3339.test(created)) throw new UserError('INVALID_CONFIG', `buildImage: created ${JSON.stringify(created)} is not an RFC 3339 date like "2024-01-01T00:00:00Z"`);
  let config = normaliseConfig(spec.config);
  const compression = imageCompression(spec.compression);
  const annotations = imageAnnotations(spec.annotations);
  const layers: LayerRecord[] = [];
  const seen = new Set<string>();
  // fromImage comes first in spec.layers: a pulled base (with `base`) keeps its layer list verbatim
  // (a repeated layer stays repeated: it is in the base's diff_ids), its config and its history.
  let base: BaseImageInfo | undefined;
  let baseHistory: ImageFile['baseHistory'];
  const counts = { base: 0, layers: 0, layersResults: 0, own: 0 };
  spec.layers.forEach((f, i) => {
    const lf = loadLayersFile(f);
    if (i === 0 && lf.base) {
      base = lf.base;
      const os = spec.os ?? 'linux';
      if (base.architecture !== spec.arch || base.os !== os)
        throw new UserError(
          'PLATFORM_MISMATCH',
          `fromImage ${base.reference} is ${base.os}/${base.architecture}, but the image is built for ${os}/${spec.arch}`,
          `lock the base for this platform (longshore lock --os ${os} --arch ${spec.arch}), or set arch = "${base.architecture}" in buildImage`,
        );
      config = mergeBaseConfig(base.config, config);
      if (base.history.filter((h) => !h.empty_layer).length === lf.layers.length) baseHistory = base.history;
      for (const l of lf.layers) {
        seen.add(l.digest);
        layers.push(l);
      }
      counts.base = lf.layers.length;
      return;
    }
    counts.layersResults++;
    for (const l of lf.layers) {
      if (seen.has(l.digest)) continue;
      seen.add(l.digest);
      layers.push(l);
      counts.layers++;
    }
  });
  own.forEach((l, i) => {
    if (seen.has(l.digest)) return;
    seen.add(l.digest);
    layers.push(l);
    if (ownCounts && i < ownCounts.layers) counts.layers++;
    else counts.own++;
  });
  if (layers.length > MAX_LAYERS_HARD)
    throw tooManyLayers({
      subject: 'the image',
      ...(base ? { fromImage: { count: counts.base, reference: base.reference } } : {}),
      layers: counts.layers,
      layersResults: counts.layersResults + (ownCounts?.layersResults ?? 0),
      own: counts.own,
      maxLayers: ownCounts?.maxLayers ?? 1,
    });
  return {
    version: FORMAT_VERSION,
    name: spec.name,
    ...(spec.tag ? { tag: spec.tag } : {}),
    arch: spec.arch,
    os: spec.os ?? 'linux',
    ...(spec.variant ? { variant: spec.variant } : {}),
    created: created === 'now' ? new Date().toISOString().replace(/\.\d+Z$/, 'Z') : created,
    config,
    layers,
    ...(baseHistory ? { baseHistory } : {}),
    ...(compression ? { compression } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/**
 * With `layerSpec`, the image's own layers are computed in the same build (one derivation and one
 * process less per image build than a separate buildLayer).
 */
export async function buildImageCommand(args: { attrs?: string; entryUrl?: string }): Promise<void> {
  const a = readNixAttrs(args.attrs);
  const imageSpec = a.attrs.spec as ImageSpec;
  let own: LayerRecord[] = [];
  let counts: LayerCounts | undefined;
  if (a.attrs.layerSpec !== undefined) {
    const spec = parseLayerSpec(a.attrs.layerSpec, a.file);
    // fromImage's layers count towards Docker's limit too: known before any layer is digested.
    const first = Array.isArray(imageSpec?.layers) && imageSpec.layers.length > 0 ? loadLayersFile(imageSpec.layers[0]) : undefined;
    const fromImage = first?.base ? { count: first.layers.length, reference: first.base.reference } : undefined;
    ({ layers: own, counts } = await buildLayers(spec, graphNodes(a, 'closure'), (m) => process.stderr.write(m + '\n'), args.entryUrl, { fromImage }));
  }
  const img = assembleImage(imageSpec, own, counts);
  writeFileSync(a.out, JSON.stringify(img, null, 1) + '\n');
}
