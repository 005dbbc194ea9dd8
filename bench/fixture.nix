# The benchmarks' fixture: ~400 MB of host directories imported as several store paths, plus one
# small application path referencing them all. `change` alters only the application; `nonce` forces
# the layers to be recomputed without touching the fixture's store paths.
# Importing 400 MB re-hashes it at every evaluation, so after the first import callers pass the
# resulting store paths back in as `depPaths`.
{ pkgs, longshore, change ? "", nonce ? "", maxLayers ? 8, depPaths ? null }:
let
  dirs = {
    gcc = /usr/lib/gcc;
    libexec = /usr/libexec;
    python = /usr/lib/python3.11;
    locale = /usr/share/locale;
    icons = /usr/share/icons;
  };
  deps = if depPaths != null then map builtins.storePath depPaths
    else builtins.attrValues (builtins.mapAttrs (n: p: builtins.path { path = p; name = "fixture-${n}"; }) dirs);
  app = pkgs.writeShellScriptBin "app" ''
    # ${change}
    for d in ${builtins.concatStringsSep " " (map toString deps)}; do echo "$d"; done
  '';
in
{
  inherit app;
  deps = pkgs.writeText "fixture-deps" (builtins.concatStringsSep "\n" (map toString deps));
  image = longshore.buildImage {
    name = "fixture";
    inherit maxLayers;
    metadata = { created_by = "longshore bench"; comment = nonce; };
    config.entrypoint = [ "${app}/bin/app" ];
  };
  # The archive-ful flow: a tarball per store path written into the store, then hashed.
  archiveful = pkgs.runCommand "fixture-tarballs" {
    exportReferencesGraph = [ "closure-0" app ];
    inherit nonce;
  } ''
    export PATH=/usr/bin:/bin
    mkdir -p $out
    i=0
    for p in $(grep '^/nix/store/' closure-0 | sort -u); do
      i=$((i+1))
      /usr/bin/tar --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner -cf "$out/layer-$i.tar" "$p"
    done
    /usr/bin/sha256sum $out/*.tar > $out/digests
  '';
}
