# The longshore library bound to the host-tools package set, as the tests use it.
args:
let pkgs = import ./pkgs.nix args;
in {
  inherit pkgs;
  longshore = import ../../nix { inherit (pkgs) runCommand writeText writeShellScriptBin longshore system nix sqlite; };
}
