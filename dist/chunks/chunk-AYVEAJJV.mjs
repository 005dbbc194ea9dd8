import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/image/media-types.ts
var MEDIA_TYPE_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
var MEDIA_TYPE_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
var MEDIA_TYPE_OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
var MEDIA_TYPE_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
var MEDIA_TYPE_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
var MEDIA_TYPE_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
var MEDIA_TYPE_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
var MEDIA_TYPE_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
var MEDIA_TYPE_DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
var MEDIA_TYPE_DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
var IMAGE_MANIFEST_TYPES = /* @__PURE__ */ new Set([MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST]);
var INDEX_TYPES = /* @__PURE__ */ new Set([MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_LIST]);
var LAYER_TYPES = /* @__PURE__ */ new Set([
  MEDIA_TYPE_LAYER_TAR,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_LAYER_ZSTD,
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_LAYER_TAR
]);
var COMPRESSIONS = ["none", "gzip", "zstd"];
function layerMediaType(c) {
  return c === "gzip" ? MEDIA_TYPE_LAYER_GZIP : c === "zstd" ? MEDIA_TYPE_LAYER_ZSTD : MEDIA_TYPE_LAYER_TAR;
}
function compressionOf(mediaType) {
  if (mediaType === MEDIA_TYPE_LAYER_TAR || mediaType === MEDIA_TYPE_DOCKER_LAYER_TAR) return "none";
  if (mediaType === MEDIA_TYPE_LAYER_GZIP || mediaType === MEDIA_TYPE_DOCKER_LAYER_GZIP) return "gzip";
  if (mediaType === MEDIA_TYPE_LAYER_ZSTD) return "zstd";
  return void 0;
}
var COMPRESSOR_ANNOTATION = "org.longshore.layer.compressor";

// src/util/digest.ts
import { createHash } from "node:crypto";
var sha256 = (data) => "sha256:" + createHash("sha256").update(data).digest("hex");
var DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
var isDigest = (s) => typeof s === "string" && DIGEST_RE.test(s);
var digestHex = (d) => d.slice("sha256:".length);

export {
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_LAYER_TAR,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_LIST,
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_LAYER_TAR,
  IMAGE_MANIFEST_TYPES,
  INDEX_TYPES,
  LAYER_TYPES,
  COMPRESSIONS,
  layerMediaType,
  compressionOf,
  COMPRESSOR_ANNOTATION,
  sha256,
  isDigest,
  digestHex
};
