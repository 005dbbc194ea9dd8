# The smallest image: one program, its closure in one layer.
{ pkgs, longshore, revision ? null, source ? null }:
longshore.buildImage {
  annotations = import ./vcs.nix { inherit revision source; };
  name = "hello";
  config.entrypoint = [ "${pkgs.hello}/bin/hello" ];
}
