# Stable dependencies in a layer of their own (buildLayer), the application on top: rebuilding the
# application re-sends only the top layer.
{ pkgs, longshore, revision ? null, source ? null }:
let
  deps = longshore.buildLayer { deps = [ pkgs.busybox ]; };
  app = pkgs.writeShellScriptBin "greet" ''
    echo "Hello from a layered image"
  '';
in
longshore.buildImage {
  annotations = import ./vcs.nix { inherit revision source; };
  name = "layered";
  layers = [ deps ];
  config = {
    entrypoint = [ "${app}/bin/greet" ];
    Env = [ "PATH=${pkgs.busybox}/bin" ];
  };
}
