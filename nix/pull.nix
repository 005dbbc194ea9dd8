# Base images from registries (imported by default.nix).
#
#   pullImageFromManifest { imageManifest = ./base.lock.json; }   one fixed-output derivation per blob
#   pullImage { imageName; imageDigest; sha256; }                 one fixed-output derivation per image
#
# Both return a layers JSON (with the base config and history in "base") that buildImage's
# fromImage takes. Blobs are kept exactly as the registry serves them (gzip stays gzip).
#
# Registry credentials come from the environment of the Nix build (impureEnvVars):
#   LONGSHORE_REGISTRY_USERNAME + LONGSHORE_REGISTRY_PASSWORD, or LONGSHORE_REGISTRY_TOKEN,
#   LONGSHORE_REGISTRY_CREDS_FILE (USERNAME=/PASSWORD= or BEARER_TOKEN= lines),
#   LONGSHORE_REGISTRY_AUTH_FILE or REGISTRY_AUTH_FILE (containers auth.json / docker config.json).
# Proxies, as for `longshore copy` (docs/registry.md, "Proxies"): https_proxy / HTTPS_PROXY,
#   http_proxy / HTTP_PROXY, no_proxy / NO_PROXY, LONGSHORE_PROXY_LOOPBACK.
# Without a Nix daemon, these are read from nix-build's own environment; with one, from the
# daemon's environment, not the caller's.
{ runCommand, longshore }:
let
  inherit (builtins) fromJSON readFile listToAttrs map substring stringLength match replaceStrings hasAttr;

  impureEnvVars = [
    "LONGSHORE_REGISTRY_USERNAME" "LONGSHORE_REGISTRY_PASSWORD" "LONGSHORE_REGISTRY_TOKEN"
    "LONGSHORE_REGISTRY_CREDS_FILE" "LONGSHORE_REGISTRY_AUTH_FILE" "REGISTRY_AUTH_FILE" "LONGSHORE_DEBUG"
    "http_proxy" "https_proxy" "HTTP_PROXY" "HTTPS_PROXY" "no_proxy" "NO_PROXY" "LONGSHORE_PROXY_LOOPBACK"
  ];

  hexOf = d:
    let m = match "sha256:([0-9a-f]{64})" d;
    in if m == null then throw "longshore: ${d} is not a sha256 digest" else builtins.head m;

  stripScheme = u: replaceStrings [ "https://" "http://" ] [ "" "" ] u;

  # "HOST/NAME" → { registry; repository; }, or a bare NAME on `defaultRegistry`.
  splitName = defaultRegistry: n:
    let m = match "([^/]*[.:][^/]*|localhost)/(.*)" n;
    in if m == null then { registry = defaultRegistry; repository = n; }
       else { registry = builtins.elemAt m 0; repository = builtins.elemAt m 1; };

  flag = name: v: if v == null then "" else "--${name}=${toString v}";
  tlsFlag = tlsVerify: if tlsVerify then "" else "--tls-verify=false";

  # The store path depends only on the name and the digest: the same layer pulled for any image,
  # from any registry, is one store path.
  fetchBlob = { registry, repository, digest, size ? null, tlsVerify ? true, caCert ? null }:
    runCommand "blob-${substring 0 32 (hexOf digest)}"
      {
        outputHashMode = "flat";
        outputHashAlgo = "sha256";
        outputHash = hexOf digest;
        inherit impureEnvVars;
        preferLocalBuild = true;
      }
      ''${longshore}/bin/longshore fetch-blob --registry=${registry} --repository=${repository} --digest=${digest} ${flag "size" size} ${tlsFlag tlsVerify} ${flag "ca-cert" caCert} --out="$out"'';

  pullImageFromManifest =
    { imageManifest # a lock file written by `longshore lock docker://…`
    , imageName ? null # "HOST/NAME" or "NAME": fetch from here instead of the lock's repository
    , imageTag ? null # accepted for nix2container compatibility; the lock pins the digest
    , registryUrl ? null # fetch from this registry (a mirror) instead of the lock's
    , tlsVerify ? true
    , caCert ? null # a PEM file to trust
    , os ? null # accepted for compatibility: the platform was chosen by `longshore lock`
    , arch ? null
    , ...
    }:
    let
      text = readFile imageManifest;
      lock = fromJSON text;
      _check = lock.kind or null == "longshore-image-lock"
        || throw "longshore: pullImageFromManifest: ${toString imageManifest} is not a lock file; make one with `longshore lock docker://HOST/NAME:TAG -o FILE`";
      named = if imageName == null then { inherit (lock) registry repository; } else splitName lock.registry imageName;
      registry = if registryUrl != null then stripScheme registryUrl else named.registry;
      repository = named.repository;
      blobs = listToAttrs (map (l: {
        name = l.digest;
        value = fetchBlob { inherit registry repository tlsVerify caCert; inherit (l) digest size; };
      }) lock.layers);
      safe = replaceStrings [ "/" ":" "@" ] [ "-" "-" "-" ] lock.repository;
    in
    assert _check;
    (runCommand "base-${safe}-layers.json"
      {
        __structuredAttrs = true;
        lock = text;
        lockName = baseNameOf (toString imageManifest);
        blobs = builtins.mapAttrs (_: b: "${b}") blobs;
        sourceRepository = "${registry}/${repository}";
      }
      ''${longshore}/bin/longshore base-layers'') // {
      inherit blobs lock;
      imageName = "${lock.registry}/${lock.repository}";
      imageDigest = lock.manifest.digest;
    };

  pullImage =
    { imageName # "HOST/NAME"
    , imageDigest # "sha256:…" of the manifest or of a multi-arch index
    , sha256 # of the fetched directory (NAR hash); build once with a fake one to learn it
    , os ? "linux"
    , arch ? "amd64"
    , variant ? null
    , tlsVerify ? true
    , caCert ? null
    , finalImageName ? null # nix2container compatibility; unused
    , finalImageTag ? null
    , ...
    }:
    let
      dir = runCommand "image-${substring 0 32 (hexOf imageDigest)}"
        {
          outputHashMode = "recursive";
          outputHashAlgo = "sha256";
          outputHash = sha256;
          inherit impureEnvVars;
          preferLocalBuild = true;
        }
        ''${longshore}/bin/longshore fetch-image --reference=${imageName}@${imageDigest} --os=${os} --arch=${arch} ${flag "variant" variant} ${tlsFlag tlsVerify} ${flag "ca-cert" caCert} --out="$out"'';
      named = splitName "docker.io" imageName;
    in
    (runCommand "base-${replaceStrings [ "/" ":" ] [ "-" "-" ] named.repository}-layers.json"
      {
        __structuredAttrs = true;
        dir = "${dir}";
        sourceRepository = "${named.registry}/${named.repository}";
      }
      ''${longshore}/bin/longshore base-layers'') // { inherit dir imageName imageDigest; };
in
{
  inherit pullImageFromManifest pullImage fetchBlob;
}
