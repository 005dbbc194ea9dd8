import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  RegistryReader
} from "./chunk-WCABCJER.mjs";
import {
  RegistryClient,
  resolveCredential
} from "./chunk-D6PQMSBU.mjs";
import {
  debugEnabled
} from "./chunk-AO2UATTK.mjs";
import {
  formatReference,
  parseRegistryReference
} from "./chunk-JO7HQLJM.mjs";
import {
  platformMatches,
  platformString
} from "./chunk-477LFGEH.mjs";
import {
  IMAGE_MANIFEST_TYPES,
  INDEX_TYPES,
  LAYER_TYPES,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  sha256
} from "./chunk-AYVEAJJV.mjs";
import {
  writeAtomically
} from "./chunk-5SF5CXX5.mjs";
import {
  humanBytes
} from "./chunk-TF6H54TZ.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/commands/lock.ts
import { writeFile } from "node:fs/promises";
var LOCK_VERSION = 1;
var LOCK_KIND = "longshore-image-lock";
var DEFAULT_PLATFORM = { os: "linux", architecture: "amd64" };
function parseSourceRef(ref) {
  const rest = ref.replace(/^docker:\/\//, "");
  const r = parseRegistryReference(rest, ref);
  if (!r.tag && !r.digest) r.tag = "latest";
  return r;
}
function choosePlatform(index, want, what) {
  const entries = Array.isArray(index.manifests) ? index.manifests : [];
  const cands = entries.filter((m2) => {
    const p2 = m2.platform ?? {};
    return platformMatches(want, { os: String(p2.os), architecture: String(p2.architecture), ...typeof p2.variant === "string" ? { variant: p2.variant } : {} });
  });
  if (!cands.length) {
    const have = entries.map((m2) => {
      const p2 = m2.platform ?? {};
      return p2.os ? platformString({ os: String(p2.os), architecture: String(p2.architecture), variant: p2.variant }) : "(no platform)";
    });
    throw new UserError("PLATFORM_MISMATCH", `${what} has no manifest for ${platformString(want)}; it has ${have.join(", ") || "no manifests"}`, "choose one with --os, --arch and --variant");
  }
  const m = cands[0];
  const p = m.platform;
  if (typeof m.digest !== "string" || typeof m.mediaType !== "string") throw new UserError("REGISTRY_PROTOCOL", `${what}: an index entry without digest or mediaType`);
  return { digest: m.digest, mediaType: m.mediaType, platform: { os: String(p.os), architecture: String(p.architecture), ...p.variant ? { variant: String(p.variant) } : {} } };
}
function manifestMediaType(doc) {
  if (typeof doc.mediaType === "string") return doc.mediaType;
  if (Array.isArray(doc.manifests)) return MEDIA_TYPE_OCI_INDEX;
  if (typeof doc.config === "object" && doc.config && Array.isArray(doc.layers)) return MEDIA_TYPE_OCI_MANIFEST;
  return void 0;
}
function configDescriptor(display, mediaType, bytes) {
  if (!IMAGE_MANIFEST_TYPES.has(mediaType)) {
    throw new UserError(
      "UNSUPPORTED_MEDIA_TYPE",
      `${display}: unsupported manifest type ${mediaType}`,
      mediaType.includes("v1+") || mediaType.includes("manifest.v1") ? "Docker schema 1 images are deprecated; re-push the image with a current tool" : void 0
    );
  }
  const cfgDesc = JSON.parse(bytes.toString("utf8")).config;
  if (!cfgDesc || typeof cfgDesc.digest !== "string") throw new UserError("REGISTRY_PROTOCOL", `${display}: the manifest has no config descriptor`);
  return { digest: cfgDesc.digest, mediaType: String(cfgDesc.mediaType), ...typeof cfgDesc.size === "number" ? { size: cfgDesc.size } : {} };
}
function imageParts(display, top, configBytes) {
  const cfgDesc = configDescriptor(display, top.mediaType, top.bytes);
  const cfgDigest = sha256(configBytes);
  if (cfgDigest !== cfgDesc.digest) throw new UserError("DIGEST_MISMATCH", `${display}: the config has digest ${cfgDigest}, but the manifest names ${cfgDesc.digest}`);
  const manifest = JSON.parse(top.bytes.toString("utf8"));
  const config = JSON.parse(configBytes.toString("utf8"));
  const configPlatform = {
    os: String(config.os ?? ""),
    architecture: String(config.architecture ?? ""),
    ...typeof config.variant === "string" ? { variant: config.variant } : {}
  };
  const layersRaw = Array.isArray(manifest.layers) ? manifest.layers : [];
  const diffIDs = config.rootfs?.diff_ids ?? [];
  if (diffIDs.length !== layersRaw.length) {
    throw new UserError("REGISTRY_PROTOCOL", `${display}: the manifest lists ${layersRaw.length} layers but the config has ${diffIDs.length} diff_ids`);
  }
  const layers = layersRaw.map((l, i) => {
    const mt = String(l.mediaType);
    if (!LAYER_TYPES.has(mt)) {
      throw new UserError("UNSUPPORTED_MEDIA_TYPE", `${display}: layer ${i} has media type ${mt}, which longshore cannot use as a base layer${/foreign|nondistributable/.test(mt) ? " (foreign layers are fetched from elsewhere)" : ""}`);
    }
    return { digest: String(l.digest), size: Number(l.size), mediaType: mt, diffID: diffIDs[i] };
  });
  return {
    manifest: { digest: top.digest, mediaType: top.mediaType, size: top.bytes.length, raw: top.bytes.toString("utf8") },
    config: { digest: cfgDesc.digest, mediaType: cfgDesc.mediaType, size: configBytes.length, raw: configBytes.toString("utf8") },
    layers,
    configPlatform
  };
}
async function resolveManifest(reader, ref, want) {
  const display = `${formatReference(ref, ref.tag)}${ref.digest ? "@" + ref.digest : ""}`;
  let top = await reader.manifest(ref.digest ?? ref.tag);
  if (!INDEX_TYPES.has(top.mediaType)) return { top, display };
  const chosen = choosePlatform(JSON.parse(top.bytes.toString("utf8")), want, display);
  const index = { digest: top.digest, mediaType: top.mediaType };
  top = await reader.manifest(chosen.digest);
  return { top, index, platform: chosen.platform, display };
}
async function buildLock(reader, ref, want) {
  const { top, index, platform, display } = await resolveManifest(reader, ref, want);
  const cfgDesc = configDescriptor(display, top.mediaType, top.bytes);
  const configBytes = await reader.blobBytes(cfgDesc.digest, cfgDesc.size);
  const { configPlatform, ...parts } = imageParts(display, top, configBytes);
  if (!index && (configPlatform.os !== want.os || configPlatform.architecture !== want.architecture)) {
    throw new UserError("PLATFORM_MISMATCH", `${display} is a single-platform image for ${platformString(configPlatform)}, not ${platformString(want)}`, `lock it with --os ${configPlatform.os} --arch ${configPlatform.architecture}`);
  }
  return {
    version: LOCK_VERSION,
    kind: LOCK_KIND,
    reference: display,
    registry: ref.registry,
    repository: ref.repository,
    ...ref.tag ? { tag: ref.tag } : {},
    platform: platform ?? configPlatform,
    ...index ? { index } : {},
    ...parts
  };
}
function checkLock(lock, file) {
  const l = lock;
  if (typeof l !== "object" || l === null || l.kind !== LOCK_KIND) throw new UserError("INVALID_LOCK", `${file}: not a longshore lock file (make one with \`longshore lock docker://\u2026\`)`);
  if (l.version !== LOCK_VERSION) throw new UserError("INVALID_LOCK", `${file}: lock format version ${JSON.stringify(l.version)} is not supported; re-run longshore lock`);
  for (const k of ["manifest", "config"]) {
    const d = l[k];
    if (!d || typeof d.raw !== "string") throw new UserError("INVALID_LOCK", `${file}: "${k}.raw" is missing`);
    const got = sha256(Buffer.from(d.raw, "utf8"));
    if (got !== d.digest) throw new UserError("INVALID_LOCK", `${file}: the ${k} text has digest ${got}, but the lock says ${d.digest}; the lock was edited \u2014 re-run longshore lock`);
  }
  const manifest = JSON.parse(l.manifest.raw);
  const config = JSON.parse(l.config.raw);
  if (manifest.config.digest !== l.config.digest) throw new UserError("INVALID_LOCK", `${file}: the manifest's config is ${manifest.config.digest}, but the lock's config is ${l.config.digest}`);
  const diffIDs = config.rootfs?.diff_ids ?? [];
  if (manifest.layers.length !== l.layers.length || diffIDs.length !== l.layers.length)
    throw new UserError("INVALID_LOCK", `${file}: the layer list does not match the manifest (${manifest.layers.length} layers) and config (${diffIDs.length} diff_ids); re-run longshore lock`);
  manifest.layers.forEach((m, i) => {
    const s = l.layers[i];
    if (s.digest !== m.digest || s.size !== m.size || s.mediaType !== m.mediaType || s.diffID !== diffIDs[i])
      throw new UserError("INVALID_LOCK", `${file}: layers[${i}] (${s.digest}) does not match the manifest's ${m.digest}; the lock was edited \u2014 re-run longshore lock`);
  });
  return l;
}
async function withReader(a, fn) {
  const ref = parseSourceRef(a.reference);
  const want = { os: a.os ?? DEFAULT_PLATFORM.os, architecture: a.arch ?? DEFAULT_PLATFORM.architecture, ...a.variant ? { variant: a.variant } : {} };
  const credential = await resolveCredential(ref.registry, ref.repository, a);
  const client = new RegistryClient({ ref, credential, tlsVerify: a.tlsVerify, caCert: a.caCert, debug: debugEnabled() });
  const reader = new RegistryReader(client, ref.repository);
  try {
    await client.ping();
    return await fn(reader, ref, want);
  } finally {
    await reader.close();
    await client.close();
  }
}
async function lockCommand(a) {
  return withReader(a, async (reader, ref, want) => {
    const lock = await buildLock(reader, ref, want);
    const text = JSON.stringify(lock, null, 2) + "\n";
    if (a.output && a.output !== "-") {
      await writeAtomically(a.output, (tmp) => writeFile(tmp, text));
      const n = lock.layers.length;
      process.stderr.write(
        `locked ${lock.reference} (${platformString(lock.platform)}) at ${lock.manifest.digest}: ${n} ${n === 1 ? "layer" : "layers"}, ${humanBytes(lock.layers.reduce((s, l) => s + l.size, 0))} \u2192 ${a.output}
`
      );
    } else process.stdout.write(text);
    return lock;
  });
}
async function manifestCommand(a) {
  return withReader(a, async (reader, ref, want) => {
    const { top, display } = await resolveManifest(reader, ref, want);
    configDescriptor(display, top.mediaType, top.bytes);
    if (a.output && a.output !== "-") {
      await writeAtomically(a.output, (tmp) => writeFile(tmp, top.bytes));
      process.stderr.write(`${display}: manifest ${top.digest} \u2192 ${a.output}
`);
    } else process.stdout.write(top.bytes);
    return top.bytes;
  });
}

export {
  LOCK_VERSION,
  LOCK_KIND,
  DEFAULT_PLATFORM,
  parseSourceRef,
  choosePlatform,
  manifestMediaType,
  configDescriptor,
  imageParts,
  resolveManifest,
  buildLock,
  checkLock,
  lockCommand,
  manifestCommand
};
