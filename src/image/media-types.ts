// Media types of the OCI image spec (image-spec v1.1, media-types.md) and Docker's schema 2.

export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_TYPE_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const MEDIA_TYPE_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_TYPE_DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const MEDIA_TYPE_DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const MEDIA_TYPE_DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

/** Single-platform image manifests longshore reads. */
export const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST]);
/** Multi-platform indexes longshore reads. */
export const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_LIST]);
/** Layer blobs longshore can keep and pass on. */
export const LAYER_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPE_LAYER_TAR,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_LAYER_ZSTD,
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_LAYER_TAR,
]);

/** How a layer blob's bytes are encoded: the tar itself, or gzip / zstd of it. */
export type Compression = 'none' | 'gzip' | 'zstd';
export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'zstd'];

/** The OCI media type of a layer in this encoding. */
export function layerMediaType(c: Compression): string {
  return c === 'gzip' ? MEDIA_TYPE_LAYER_GZIP : c === 'zstd' ? MEDIA_TYPE_LAYER_ZSTD : MEDIA_TYPE_LAYER_TAR;
}

/** The encoding of a layer blob, from its media type (OCI or Docker); undefined for foreign types. */
export function compressionOf(mediaType: string): Compression | undefined {
  if (mediaType === MEDIA_TYPE_LAYER_TAR || mediaType === MEDIA_TYPE_DOCKER_LAYER_TAR) return 'none';
  if (mediaType === MEDIA_TYPE_LAYER_GZIP || mediaType === MEDIA_TYPE_DOCKER_LAYER_GZIP) return 'gzip';
  if (mediaType === MEDIA_TYPE_LAYER_ZSTD) return 'zstd';
  return undefined;
}

/** The annotation on a layer descriptor naming the compressor that made the blob (longshore's own). */
export const COMPRESSOR_ANNOTATION = 'org.longshore.layer.compressor';
