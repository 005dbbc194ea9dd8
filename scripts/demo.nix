# The README's main job: an example image built with the host-tools package set (nixpkgs is not
# needed). With nixpkgs, use the flake instead: nix build .#hello
{ example ? "hello", node ? "/usr/bin/node" }:
let l = import ../test/nix/lib.nix { inherit node; };
in import (../examples + "/${example}.nix") { inherit (l) pkgs longshore; }
