# The longshore CLI as a package: the committed bundle in dist/ (built by `npm run build`, checked
# byte for byte against a rebuild by the test suite) and bin/longshore, the shell launcher, with
# absolute paths to node and to the bundle. Nothing is fetched or compiled, so there is no hash to
# keep up to date. flake.nix builds it with nixpkgs; the tests build this same file with their
# host-tools package set (test/nix/pkgs.nix).
#
#   runCommand    nixpkgs' (or any runCommand with mkdir, cp, sed and chmod on PATH)
#   nodejs        a Node.js package with bin/node (nixpkgs' `nodejs`, the current LTS; at least 22.19)
#   runtimeShell  the launcher's shell, a POSIX sh
{ runCommand, nodejs, runtimeShell, dist ? ../dist, launcher ? ../bin/longshore }:
let
  version = (builtins.fromJSON (builtins.readFile ../package.json)).version;
in
runCommand "longshore-${version}"
{
  dist = builtins.path { path = dist; name = "longshore-${version}-dist"; };
  launcher = builtins.path { path = launcher; name = "longshore-launcher"; };
  meta = {
    description = "Archive-less container images for Nix";
    mainProgram = "longshore";
  };
  passthru = { inherit version nodejs; };
}
  ''
    mkdir -p "$out/bin" "$out/lib/longshore"
    cp -r "$dist" "$out/lib/longshore/dist"
    chmod -R u+w "$out/lib/longshore/dist"
    sed -e '1s|.*|#!${runtimeShell}|' -e 's|^node=.*|node=${nodejs}/bin/node|' \
      -e "s|^main=.*|main=$out/lib/longshore/dist/longshore.mjs|" "$launcher" > "$out/bin/longshore"
    chmod +x "$out/bin/longshore"
  ''
