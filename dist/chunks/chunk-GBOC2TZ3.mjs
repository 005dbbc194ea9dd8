import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  pairsFromImage
} from "./chunk-AEDLIB2P.mjs";
import {
  COMPRESSOR_ANNOTATION,
  isDigest
} from "./chunk-AYVEAJJV.mjs";
import {
  fileError,
  writeAtomically
} from "./chunk-5SF5CXX5.mjs";

// src/dest/blob-files.ts
import { createWriteStream } from "node:fs";
import { readFile, rename, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
async function hasBlobFile(file, size) {
  try {
    return (await stat(file)).size === size;
  } catch {
    return false;
  }
}
async function reuseBlobFile(blob, pathOf, known, detail) {
  if (blob.digest !== void 0) return await hasBlobFile(pathOf(blob.digest), blob.size) ? { action: "skipped", detail } : void 0;
  for (const k of (await known()).candidates(blob.diffID, blob.mediaType)) {
    if (await hasBlobFile(pathOf(k.digest), k.size))
      return { action: "skipped", detail, descriptor: { mediaType: k.mediaType, digest: k.digest, size: k.size, ...k.compressor ? { annotations: { [COMPRESSOR_ANNOTATION]: k.compressor } } : {} } };
  }
  return void 0;
}
async function putBlobFile(blob, pathOf, tmpDir) {
  if (blob.digest !== void 0) {
    await writeAtomically(pathOf(blob.digest), (tmp2) => pipeline(blob.open(), createWriteStream(tmp2)));
    return { digest: blob.digest, size: blob.size };
  }
  const src = blob.open();
  const tmp = join(tmpDir, `incoming.tmp-${randomBytes(6).toString("hex")}`);
  try {
    await pipeline(src, createWriteStream(tmp));
    const got = await src.measured;
    await rename(tmp, pathOf(got.digest));
    return got;
  } catch (e) {
    await rm(tmp, { force: true });
    throw fileError(e, tmp);
  }
}
async function readBlobJson(pathOf, digest) {
  return isDigest(digest) ? JSON.parse(await readFile(pathOf(digest), "utf8")) : void 0;
}
async function addImageBlobs(known, manifest, pathOf) {
  known.add(pairsFromImage(manifest, await readBlobJson(pathOf, manifest?.config?.digest)));
}

export {
  hasBlobFile,
  reuseBlobFile,
  putBlobFile,
  readBlobJson,
  addImageBlobs
};
