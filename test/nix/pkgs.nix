# A tiny package set made from host tools, standing in for nixpkgs where nixpkgs is unreachable.
# It provides exactly what the longshore library needs (runCommand, writeText, writeShellScriptBin)
# and what its package needs (nodejs, runtimeShell: nix/package.nix, the file flake.nix builds the
# CLI with), plus what the examples use (busybox, hello, buildEnv, …). test/e2e/flake.test.ts
# wraps it in a stand-in nixpkgs flake, so it must also evaluate in pure mode: every host path is
# passed in as a string or a path argument.
{ node ? "/usr/bin/node"
, dist ? ../../dist
, busyboxBinary ? /bin/busybox
  # Debian's busybox-static for arm64, unpacked by scripts/setup.sh (read only when an arm64 image uses it).
, busyboxArm64Binary ? ../../.tools/busybox-arm64/bin/busybox
, system ? builtins.currentSystem
}:
let
  bbFile = builtins.path { path = busyboxBinary; name = "busybox-static-binary"; };
  bbArm64File = builtins.path { path = busyboxArm64Binary; name = "busybox-static-binary-arm64"; };

  # The host's /bin/sh only unpacks busybox; everything after runs on busybox alone.
  busybox = derivation {
    name = "busybox";
    inherit system;
    builder = "/bin/sh";
    args = [ "-c" ''
      set -e
      export PATH=/usr/bin:/bin
      mkdir -p $out/bin
      cp ${bbFile} $out/bin/busybox
      chmod 0555 $out/bin/busybox
      for a in $($out/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox $out/bin/$a; done
    '' ];
  };

  # As nixpkgs' runCommand: `meta` and `passthru` go on the result, not into the derivation.
  runCommand = name: env: script:
    derivation ({
      inherit name system;
      builder = "${busybox}/bin/sh";
      args = [ "-c" "set -e\n${script}" ];
      PATH = "${busybox}/bin";
    } // removeAttrs env [ "meta" "passthru" ])
    // (env.passthru or { }) // { meta = env.meta or { }; };

  writeText = name: text: runCommand name { inherit text; passAsFile = [ "text" ]; } ''cp "$textPath" "$out"'';

  writeShellScriptBin = name: text: runCommand name { inherit text; passAsFile = [ "text" ]; } ''
    mkdir -p "$out/bin"
    { echo "#!${busybox}/bin/sh"; cat "$textPath"; } > "$out/bin/${name}"
    chmod +x "$out/bin/${name}"
  '';

  # Like nixpkgs' buildEnv: a tree of symlinks to the paths' files.
  buildEnv = { name, paths, pathsToLink ? [ "/" ] }: runCommand name { } ''
    mkdir -p "$out"
    for p in ${builtins.concatStringsSep " " (map toString paths)}; do
      for sub in ${builtins.concatStringsSep " " pathsToLink}; do
        [ -d "$p$sub" ] || continue
        (cd "$p$sub" && find . -type d) | while read -r d; do mkdir -p "$out$sub/$d"; done
        (cd "$p$sub" && find . ! -type d | sed 's|^\./||') | while read -r f; do ln -sf "$p$sub/$f" "$out$sub/$f"; done
      done
    done
  '';

  hello = writeShellScriptBin "hello" ''echo "Hello, world!"'';

  # arm64 content built on this machine (the build only copies files): what nixpkgs'
  # pkgsCross.aarch64-multiplatform gives by cross-compiling. Its applet links are the host
  # busybox's list (the same Debian version), since an arm64 binary cannot list them here.
  busyboxArm64 = runCommand "busybox-aarch64" { } ''
    mkdir -p $out/bin
    cp ${bbArm64File} $out/bin/busybox
    chmod 0555 $out/bin/busybox
    for a in $(busybox --list); do [ "$a" = busybox ] || ln -s busybox $out/bin/$a; done
  '';
  # gnu64 (amd64) is the host's own busybox: right on this x86_64 machine, and what the flake's
  # aarch64-linux outputs, which are only evaluated here, name.
  pkgsCross = { aarch64-multiplatform.busybox = busyboxArm64; gnu64.busybox = busybox; };

  # The host's nix-store and sqlite3, for initializeNixDatabase (builds run without a sandbox).
  hostTool = name: tool: runCommand name { } "mkdir -p $out/bin; ln -s ${tool} $out/bin/";
  nix = hostTool "host-nix" "/usr/bin/nix-store";
  sqlite = hostTool "host-sqlite" "/usr/bin/sqlite3";

  # The node the tests run on, as a package (nixpkgs' `nodejs` in the flake).
  nodejs = runCommand "host-nodejs" { } "mkdir -p $out/bin; ln -s ${node} $out/bin/node";
  runtimeShell = "${busybox}/bin/sh";

  # The CLI from dist/, installed by the same file as the flake's package.
  longshore = import ../../nix/package.nix { inherit runCommand nodejs runtimeShell dist; };
in
{
  inherit busybox runCommand writeText writeShellScriptBin buildEnv hello longshore nodejs runtimeShell system nix sqlite pkgsCross;
  stdenv.hostPlatform.system = system;
}
