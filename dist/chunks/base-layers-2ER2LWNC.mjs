import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  FORMAT_VERSION
} from "./chunk-SNDITNA7.mjs";
import {
  readNixAttrs
} from "./chunk-OWDD4U2F.mjs";
import {
  checkLock,
  configDescriptor,
  imageParts,
  manifestMediaType
} from "./chunk-5FKCODPE.mjs";
import "./chunk-WCABCJER.mjs";
import "./chunk-D6PQMSBU.mjs";
import "./chunk-AO2UATTK.mjs";
import "./chunk-JO7HQLJM.mjs";
import "./chunk-477LFGEH.mjs";
import {
  digestHex,
  sha256
} from "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-TF6H54TZ.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/commands/base-layers.ts
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
function baseLayers(lock, blobOf, sourceRepository) {
  const config = JSON.parse(lock.config.raw);
  const history = Array.isArray(config.history) ? config.history : [];
  const nonEmpty = history.filter((h) => !h.empty_layer);
  const perLayer = nonEmpty.length === lock.layers.length ? nonEmpty : void 0;
  const layers = lock.layers.map((l, i) => {
    const blob = blobOf(l.digest);
    let size;
    try {
      size = statSync(blob).size;
    } catch {
      throw new UserError("STORE_PATH_MISSING", `base layer ${l.digest}: the fetched blob ${blob} is missing`);
    }
    if (size !== l.size) throw new UserError("DIGEST_MISMATCH", `base layer ${l.digest}: the fetched blob ${blob} has ${size} bytes, the manifest says ${l.size}`);
    return {
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
      diffID: l.diffID,
      paths: [],
      copyToRoot: [],
      perms: [],
      entries: [],
      history: perLayer ? { ...perLayer[i] } : { created_by: `base image ${lock.reference}` },
      blob,
      sourceRepository
    };
  });
  const base = {
    reference: lock.reference,
    manifestDigest: lock.manifest.digest,
    os: String(config.os ?? lock.platform.os),
    architecture: String(config.architecture ?? lock.platform.architecture),
    ...typeof config.variant === "string" ? { variant: config.variant } : {},
    config: typeof config.config === "object" && config.config ? config.config : {},
    history
  };
  return { version: FORMAT_VERSION, layers, base };
}
function fromManifest(reference, manifestBytes, configOf2, what) {
  let doc;
  try {
    doc = JSON.parse(manifestBytes.toString("utf8"));
  } catch (e) {
    throw new UserError("INVALID_IMAGE_FILE", `${what}: the manifest is not valid JSON: ${e.message}`);
  }
  const top = { bytes: manifestBytes, mediaType: manifestMediaType(doc) ?? "no media type", digest: sha256(manifestBytes) };
  const { configPlatform, ...parts } = imageParts(what, top, configOf2(configDescriptor(what, top.mediaType, manifestBytes).digest));
  return { reference, platform: configPlatform, ...parts };
}
function readFetched(file, what) {
  try {
    return readFileSync(file);
  } catch {
    throw new UserError("STORE_PATH_MISSING", `${what}: the fetched file ${file} is missing`);
  }
}
var configOf = (blobOf) => (d) => readFetched(blobOf(d), `base image config ${d}`);
function baseLayersCommand(args) {
  const a = readNixAttrs(args.attrs);
  const at = a.attrs;
  const reference = typeof at.reference === "string" ? at.reference : "the base image";
  let base;
  let blobOf;
  if (typeof at.dir === "string") {
    const dir = at.dir;
    blobOf = (d) => join(dir, digestHex(d));
    base = fromManifest(reference, readFetched(join(dir, "manifest.json"), `${reference}: the manifest`), configOf(blobOf), reference);
  } else if (typeof at.blobs === "object" && at.blobs && (typeof at.lock === "string" || typeof at.manifest === "string")) {
    const blobs = at.blobs;
    blobOf = (d) => {
      if (typeof blobs[d] !== "string") throw new UserError("BUILD_ATTRS", `${a.file}: no fetched blob for ${d}`);
      return blobs[d];
    };
    const name = typeof at.lockName === "string" ? at.lockName : "the lock file";
    if (typeof at.manifest === "string") base = fromManifest(reference, Buffer.from(at.manifest, "utf8"), configOf(blobOf), name);
    else {
      let parsed;
      try {
        parsed = JSON.parse(at.lock);
      } catch (e) {
        throw new UserError("INVALID_LOCK", `the lock file is not valid JSON: ${e.message}`);
      }
      base = checkLock(parsed, name);
    }
  } else throw new UserError("BUILD_ATTRS", `${a.file}: expected "lock" or "manifest" with "blobs", or "dir"`);
  const src = typeof at.sourceRepository === "string" ? at.sourceRepository : `${base.registry}/${base.repository}`;
  writeFileSync(a.out, JSON.stringify(baseLayers(base, blobOf, src), null, 1) + "\n");
}
export {
  baseLayers,
  baseLayersCommand
};
