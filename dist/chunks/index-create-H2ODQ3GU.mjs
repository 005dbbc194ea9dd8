import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  imageIndex
} from "./chunk-WKXXNKNK.mjs";
import {
  runLimited
} from "./chunk-VA3PXKDB.mjs";
import "./chunk-SNDITNA7.mjs";
import {
  RegistryReader
} from "./chunk-WCABCJER.mjs";
import {
  RegistryClient,
  RepositoryApi,
  resolveCredential
} from "./chunk-D6PQMSBU.mjs";
import {
  debugEnabled
} from "./chunk-AO2UATTK.mjs";
import {
  checkTag,
  formatReference,
  parseRegistryReference
} from "./chunk-JO7HQLJM.mjs";
import {
  platformString,
  samePlatform
} from "./chunk-477LFGEH.mjs";
import {
  IMAGE_MANIFEST_TYPES,
  INDEX_TYPES
} from "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/commands/index-create.ts
function registryRef(value, what) {
  if (!value.startsWith("docker://")) throw new UserError("USAGE", `${what} ${JSON.stringify(value)}: index create works in a registry: write docker://HOST/NAME[:TAG]`);
  return parseRegistryReference(value.slice("docker://".length), value);
}
var descriptor = (v, what) => {
  const d = v;
  if (!d || typeof d.digest !== "string" || typeof d.size !== "number" || typeof d.mediaType !== "string") throw new UserError("REGISTRY_PROTOCOL", `${what}: a descriptor without mediaType, digest or size`);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
};
async function readSource(client, source, ref) {
  const reader = new RegistryReader(client, ref.repository);
  try {
    const image = async (m, listed) => {
      if (!IMAGE_MANIFEST_TYPES.has(m.mediaType)) throw new UserError("UNSUPPORTED_MEDIA_TYPE", `${source}: ${m.mediaType} is not an image manifest`);
      const doc = JSON.parse(m.bytes.toString("utf8"));
      const config = descriptor(doc.config, `${source}: its config`);
      const layers = (Array.isArray(doc.layers) ? doc.layers : []).map((l, i) => descriptor(l, `${source}: layer ${i}`));
      let platform = listed;
      if (!platform) {
        const c = JSON.parse((await reader.blobBytes(config.digest, config.size)).toString("utf8"));
        if (typeof c.os !== "string" || typeof c.architecture !== "string") throw new UserError("REGISTRY_PROTOCOL", `${source}: its config names no os and architecture`);
        platform = { os: c.os, architecture: c.architecture, ...typeof c.variant === "string" && c.variant ? { variant: c.variant } : {} };
      }
      return { source, repository: ref.repository, mediaType: m.mediaType, digest: m.digest, size: m.bytes.length, bytes: m.bytes, platform, blobs: [config, ...layers] };
    };
    const top = await reader.manifest(ref.digest ?? ref.tag ?? "latest");
    if (!INDEX_TYPES.has(top.mediaType)) return [await image(top)];
    const entries = JSON.parse(top.bytes.toString("utf8")).manifests ?? [];
    const found = [];
    for (const e of entries) {
      const p = e.platform ?? {};
      if (typeof p.os !== "string" || typeof p.architecture !== "string" || p.os === "unknown") continue;
      const d = descriptor(e, `${source}: an index entry`);
      found.push(await image(await reader.manifest(d.digest), { os: p.os, architecture: p.architecture, ...typeof p.variant === "string" && p.variant ? { variant: p.variant } : {} }));
    }
    return found;
  } finally {
    await reader.close();
  }
}
async function indexCreate(a) {
  const dest = registryRef(a.destination, "index create: DEST");
  if (dest.digest) throw new UserError("USAGE", `index create: DEST ${a.destination} names a digest; give it a tag (the index's digest is known once it is made)`);
  const tag = dest.tag ?? "latest";
  const more = (a.tags ?? []).filter((t, i, all) => t !== tag && all.indexOf(t) === i);
  for (const t of more) checkTag(t, `--tag ${t}`);
  if (a.sources.length === 0) throw new UserError("USAGE", "index create: name at least one source image: longshore index create DEST SRC\u2026");
  const sources = a.sources.map((s) => ({ s, ref: registryRef(s, "index create: SRC") }));
  for (const { s, ref } of sources)
    if (ref.registry !== dest.registry) throw new UserError("USAGE", `index create: ${s} is on ${ref.registry}, not on ${dest.registry}: an index joins images of one registry (copy the image there first)`);
  const credential = await resolveCredential(dest.registry, dest.repository, a);
  const client = new RegistryClient({ ref: dest, credential, tlsVerify: a.tlsVerify, caCert: a.caCert, debug: debugEnabled() });
  try {
    await client.ping();
    const found = (await runLimited(sources, 4, ({ s, ref }) => readSource(client, s, ref))).flat();
    for (const [i, f] of found.entries()) {
      const twin = found.findIndex((g, j) => j < i && samePlatform(g.platform, f.platform));
      if (twin >= 0) throw new UserError("PLATFORM_CONFLICT", `index create: ${found[twin].source} (${found[twin].digest}) and ${f.source} (${f.digest}) are both for ${platformString(f.platform)}; an index holds one image per platform`);
    }
    const api = new RepositoryApi(client, dest.repository);
    const mounted = await runLimited(found, 2, async (f) => {
      let n = 0;
      if (f.repository !== dest.repository) {
        await runLimited(f.blobs, 8, async (b) => {
          if (await api.hasBlob(b.digest, b.size)) return;
          const m = await api.mount(b.digest, f.repository);
          if (!m.mounted) {
            if (m.location) await api.cancelUpload(m.location);
            throw new UserError("REGISTRY_REFUSED", `index create: ${dest.registry} would not mount blob ${b.digest} of ${f.source} from ${f.repository} into ${dest.repository}`, "push the images to the repository of the index, or give credentials that may pull from the sources");
          }
          n++;
        });
      }
      await api.putManifest(f.digest, f.bytes, f.mediaType);
      return n;
    });
    const index = imageIndex(found, a.annotations);
    const digest = await api.putManifest(tag, index.bytes, index.mediaType);
    for (const t of more) await api.putManifest(t, index.bytes, index.mediaType);
    const reference = formatReference(dest, tag);
    const result = {
      reference,
      ...more.length ? { references: [reference, ...more.map((t) => formatReference(dest, t))] } : {},
      manifestDigest: digest,
      images: found.map((f, i) => ({ platform: platformString(f.platform), digest: f.digest, source: f.source, blobsMounted: mounted[i] }))
    };
    if (a.json) process.stdout.write(JSON.stringify(result) + "\n");
    else if (!a.quiet)
      process.stderr.write(`created image index ${reference} (${digest}) of ${found.length} images: ${result.images.map((i) => `${i.platform} from ${i.source}${i.blobsMounted ? ` (${i.blobsMounted} blobs mounted)` : ""}`).join(", ")}${more.length ? `; also as ${more.join(", ")}` : ""}
`);
    return result;
  } finally {
    await client.close();
  }
}
export {
  indexCreate
};
