# Base images from registries (imported by default.nix), with nix2container's argument names.
#
#   pullImageFromManifest { imageName; imageManifest = ./manifest.json; }   one fixed-output derivation per blob
#   pullImage { imageName; imageDigest; sha256; }                          one fixed-output derivation per image
#
# Both return a layers JSON (with the base config and history in "base") that buildImage's
# fromImage takes. Blobs are kept exactly as the registry serves them (gzip stays gzip).
#
# imageManifest is either nix2container's format, the registry's raw manifest (what the getManifest
# passthru prints; an index is resolved to os/arch at evaluation, its platform manifest fetched by
# digest), or longshore's lock (`longshore lock`). pullImage's output is what
# `skopeo copy docker://NAME@DIGEST dir:$out` writes, so nix2container's sha256 values fit.
#
# Registry credentials come from the environment of the Nix build (impureEnvVars):
#   LONGSHORE_REGISTRY_USERNAME + LONGSHORE_REGISTRY_PASSWORD, or LONGSHORE_REGISTRY_TOKEN,
#   LONGSHORE_REGISTRY_CREDS_FILE (USERNAME=/PASSWORD= or BEARER_TOKEN= lines),
#   LONGSHORE_REGISTRY_AUTH_FILE or REGISTRY_AUTH_FILE (containers auth.json / docker config.json).
# Proxies, as for `longshore copy` (docs/registry.md, "Proxies"): https_proxy / HTTPS_PROXY,
#   http_proxy / HTTP_PROXY, no_proxy / NO_PROXY, LONGSHORE_PROXY_LOOPBACK.
# Without a Nix daemon, these are read from nix-build's own environment; with one, from the
# daemon's environment, not the caller's.
#
# `platform` is the system's { arch; variant ? } (default.nix), the default platform to pull.
{ runCommand, writeShellScriptBin, longshore, platform }:
let
  inherit (builtins) fromJSON readFile listToAttrs map substring match replaceStrings filter head concatStringsSep hashString;

  impureEnvVars = [
    "LONGSHORE_REGISTRY_USERNAME" "LONGSHORE_REGISTRY_PASSWORD" "LONGSHORE_REGISTRY_TOKEN"
    "LONGSHORE_REGISTRY_CREDS_FILE" "LONGSHORE_REGISTRY_AUTH_FILE" "REGISTRY_AUTH_FILE" "LONGSHORE_DEBUG"
    "http_proxy" "https_proxy" "HTTP_PROXY" "HTTPS_PROXY" "no_proxy" "NO_PROXY" "LONGSHORE_PROXY_LOOPBACK"
  ];

  hexOf = d:
    let m = match "sha256:([0-9a-f]{64})" d;
    in if m == null then throw "longshore: ${d} is not a sha256 digest" else head m;

  stripScheme = u: replaceStrings [ "https://" "http://" ] [ "" "" ] u;

  # "HOST/NAME" → { registry; repository; }, or a bare NAME on `defaultRegistry`.
  splitName = defaultRegistry: n:
    let m = match "([^/]*[.:][^/]*|localhost)/(.*)" n;
    in if m == null then { registry = defaultRegistry; repository = n; }
       else { registry = builtins.elemAt m 0; repository = builtins.elemAt m 1; };

  # Where to fetch from: imageName's host (or `defaultRegistry`), unless registryUrl names a mirror.
  sourceOf = defaultRegistry: imageName: registryUrl:
    let named = splitName defaultRegistry imageName;
    in named // (if registryUrl != null then { registry = stripScheme registryUrl; } else { });

  flag = name: v: if v == null then "" else "--${name}=${toString v}";
  tlsFlag = tlsVerify: if tlsVerify then "" else "--tls-verify=false";

  # The store path depends only on the name and the digest: the same layer pulled for any image,
  # from any registry, is one store path. `manifest`: an index's platform manifest, by digest.
  fetchBlob = { registry, repository, digest, size ? null, tlsVerify ? true, caCert ? null, manifest ? false }:
    runCommand "${if manifest then "manifest" else "blob"}-${substring 0 32 (hexOf digest)}"
      {
        outputHashMode = "flat";
        outputHashAlgo = "sha256";
        outputHash = hexOf digest;
        inherit impureEnvVars;
        preferLocalBuild = true;
      }
      ''${longshore}/bin/longshore fetch-blob --registry=${registry} --repository=${repository} --digest=${digest} ${flag "size" size} ${tlsFlag tlsVerify} ${flag "ca-cert" caCert} ${if manifest then "--manifest=true" else ""} --out="$out"'';

  # The layers JSON fromImage takes, from what base-layers reads (see src/commands/base-layers.ts).
  baseLayers = repository: attrs: runCommand "base-${replaceStrings [ "/" ":" "@" ] [ "-" "-" "-" ] repository}-layers.json"
    ({ __structuredAttrs = true; } // attrs)
    ''${longshore}/bin/longshore base-layers'';

  platformString = p: "${p.os or "?"}/${p.architecture or "?"}${if (p.variant or null) != null then "/${p.variant}" else ""}";

  # arm64 images often leave out the "v8" variant: the default, as in `longshore lock`.
  variantOf = arch: v: if v == null && arch == "arm64" then "v8" else v;

  # The entry of a raw index for os/arch/variant (the first listed when no variant is asked for).
  chooseEntry = what: index: os: arch: variant:
    let
      fits = m: (m.platform.os or null) == os && (m.platform.architecture or null) == arch
        && (variant == null || variantOf arch (m.platform.variant or null) == variantOf arch variant);
      found = filter fits (index.manifests or [ ]);
    in
    if found == [ ] then throw "longshore: pullImageFromManifest: ${what} has no manifest for ${platformString { inherit os; architecture = arch; variant = variantOf arch variant; }}; it has ${concatStringsSep ", " (map (m: platformString (m.platform or { })) (index.manifests or [ ]))}; set os, arch (and variant)"
    else head found;

  pullImageFromManifest =
    { imageName ? null # "HOST/NAME" or "NAME"; with a lock, fetch from here instead of the lock's repository
    , imageManifest ? null # the registry's manifest (nix2container's format; getManifest prints it) or a `longshore lock` file
    , imageTag ? null # for getManifest: the tag to look up (the lock's, else "latest")
    , registryUrl ? null # fetch from this registry (a mirror) instead of imageName's host
    , tlsVerify ? true
    , caCert ? null # a PEM file to trust
    , os ? null # the platform to take from an index (getManifest's too); default linux and the system's arch
    , arch ? null
    , variant ? null
    , meta ? { }
    }:
    let
      text = readFile imageManifest;
      doc = fromJSON text;
      isLock = imageManifest != null && doc.kind or null == "longshore-image-lock";
      file = toString imageManifest;
      os' = if os != null then os else if isLock then doc.platform.os else "linux";
      arch' = if arch != null then arch else if isLock then doc.platform.architecture else platform.arch;
      variant' = if variant != null then variant else if isLock then doc.platform.variant or null else if arch == null then platform.variant or null else null;
      needName = throw "longshore: pullImageFromManifest: give imageName (\"HOST/NAME\"): ${if imageManifest == null then "without imageManifest" else "a registry manifest does not say where it comes from"}";
      source =
        if isLock && imageName == null then sourceOf doc.registry "${doc.registry}/${doc.repository}" registryUrl
        else if imageName == null then needName
        else sourceOf (if isLock then doc.registry else "docker.io") imageName registryUrl;
      inherit (source) registry repository;
      tag = if imageTag != null then imageTag else if isLock then doc.tag or "latest" else "latest";
      ref = "docker://${registry}/${repository}:${tag}";
      platformFlags = "--os=${os'} --arch=${arch'} ${flag "variant" variant'}";

      # What to commit: a lock for a lock, else the registry's manifest (nix2container's getManifest).
      getManifest = writeShellScriptBin "get-manifest" ''exec ${longshore}/bin/longshore ${if isLock then "lock" else "manifest"} ${ref} ${platformFlags} ${tlsFlag tlsVerify} ${flag "ca-cert" caCert} "$@"'';

      fetch = digest: size: fetchBlob { inherit registry repository tlsVerify caCert digest size; };

      # nix2container's format: an image manifest, or an index resolved to the platform's manifest
      # (fetched by digest and read at evaluation: one import from derivation).
      manifestText =
        if !(doc ? manifests) then text
        else readFile (fetchBlob { inherit registry repository tlsVerify caCert; manifest = true; digest = (chooseEntry file doc os' arch' variant').digest; });
      manifest = fromJSON manifestText;

      blobs = listToAttrs (map (l: { name = l.digest; value = fetch l.digest l.size; })
        (if isLock then doc.layers else manifest.layers ++ [ manifest.config ]));
      blobPaths = builtins.mapAttrs (_: b: "${b}") blobs;
      sourceRepository = "${registry}/${repository}";

      result =
        if isLock then
          baseLayers doc.repository { lock = text; lockName = baseNameOf file; blobs = blobPaths; inherit sourceRepository; }
        else if doc ? layers || doc ? manifests then
          baseLayers repository {
            manifest = manifestText;
            lockName = baseNameOf file;
            blobs = blobPaths;
            inherit sourceRepository;
            reference = "${registry}/${repository}@sha256:${hashString "sha256" manifestText}";
          }
        else throw "longshore: pullImageFromManifest: ${file} is neither a registry manifest (nix2container's format, what getManifest prints) nor a lock file (`longshore lock docker://HOST/NAME:TAG -o FILE`)";

      # Without a manifest there is nothing to fetch yet: building says how to get one.
      missing = runCommand "base-${replaceStrings [ "/" ":" "@" ] [ "-" "-" "-" ] repository}-no-manifest" { } ''
        echo "longshore: pullImageFromManifest ${registry}/${repository}: no imageManifest; run its getManifest passthru (nix run .#IMAGE.fromImage.getManifest > manifest.json, or nix-build -A … .getManifest) and set imageManifest = ./manifest.json" >&2
        exit 1
      '';
    in
    if imageManifest == null then missing // { inherit getManifest meta; imageName = sourceRepository; }
    else result // {
      inherit blobs getManifest meta;
      imageName = sourceRepository;
      imageDigest = if isLock then doc.manifest.digest else "sha256:${hashString "sha256" manifestText}";
    } // (if isLock then { lock = doc; } else { manifest = manifestText; });

  pullImage =
    { imageName # "HOST/NAME"
    , imageDigest # "sha256:…" of the manifest or of a multi-arch index
    , sha256 # NAR hash of what `skopeo copy docker://imageName@imageDigest dir:$out` writes (nix2container's)
    , os ? "linux"
    , arch ? platform.arch
    , variant ? (if arch == platform.arch then platform.variant or null else null)
    , tlsVerify ? true
    , caCert ? null
    , name ? replaceStrings [ "/" ":" ] [ "-" "-" ] "docker-image-${imageName}" # nix2container's: the same store path
    , finalImageName ? null # nixpkgs dockerTools compatibility; unused
    , finalImageTag ? null
    }:
    let
      dir = runCommand name
        {
          outputHashMode = "recursive";
          outputHashAlgo = "sha256";
          outputHash = sha256;
          inherit impureEnvVars imageDigest;
          preferLocalBuild = true;
        }
        ''${longshore}/bin/longshore fetch-image --reference=${imageName}@${imageDigest} --os=${os} --arch=${arch} ${flag "variant" variant} ${tlsFlag tlsVerify} ${flag "ca-cert" caCert} --expected-hash='${sha256}' --out="$out"'';
      named = splitName "docker.io" imageName;
    in
    baseLayers named.repository {
      dir = "${dir}";
      reference = "${imageName}@${imageDigest}";
      sourceRepository = "${named.registry}/${named.repository}";
    } // { inherit dir imageName imageDigest; };
in
{
  inherit pullImageFromManifest pullImage fetchBlob;
}
