{
  description = "longshore: archive-less container images for Nix";

  # No flake.lock is committed (README, "The flake"): consumers make this input follow their own
  # nixpkgs (`inputs.longshore.inputs.nixpkgs.follows = "nixpkgs"`), which is all this flake takes
  # from it. Only nixpkgs.legacyPackages.${system} is used, nothing of nixpkgs.lib.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: builtins.listToAttrs (map (system: { name = system; value = f nixpkgs.legacyPackages.${system}; }) systems);

      # The CLI: the committed bundle in dist/ and the launcher, on nixpkgs' nodejs (the current LTS).
      # The tests build this same file (test/nix/pkgs.nix).
      longshoreFor = pkgs: import ./nix/package.nix { inherit (pkgs) runCommand nodejs runtimeShell; };

      # The library bound to a package set: `longshore.lib.mkLib pkgs`. See nix/default.nix for what
      # it takes from the set.
      mkLib = pkgs: import ./nix {
        inherit (pkgs) runCommand writeText writeShellScriptBin nix sqlite;
        system = pkgs.stdenv.hostPlatform.system;
        longshore = longshoreFor pkgs;
      };

      examplesFor = pkgs:
        let longshore = mkLib pkgs;
        in builtins.listToAttrs (map (name: {
          inherit name;
          # The revision goes into the images' org.opencontainers.image.revision annotation.
          value = import (./examples + "/${name}.nix") { inherit pkgs longshore; revision = self.rev or self.dirtyRev or null; };
        }) [ "hello" "layered" "non-root" "copy-to-root" "multi-arch" ]);
    in
    {
      # longshore.lib.${system}.buildImage { … }: nix2container's argument names.
      lib = forAllSystems mkLib // { inherit mkLib; };

      packages = forAllSystems (pkgs:
        let examples = examplesFor pkgs;
        in examples // rec {
          longshore = longshoreFor pkgs;
          default = longshore;
          # nix run .#image.copyToRegistry (or .copyToDockerDaemon, .copyToPodman, .copyTo DEST)
          image = examples.hello;
        });

      apps = forAllSystems (pkgs: {
        default = { type = "app"; program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.longshore}/bin/longshore"; };
      });

      # `nix flake check` builds the CLI and an image with it (the image's build runs the CLI).
      checks = forAllSystems (pkgs: { longshore = longshoreFor pkgs; hello = (examplesFor pkgs).hello; });

      # pkgs.longshore (the CLI) and pkgs.longshoreLib (the library bound to the final package set).
      overlays.default = final: prev: {
        longshore = longshoreFor final;
        longshoreLib = mkLib final;
      };
    };
}
