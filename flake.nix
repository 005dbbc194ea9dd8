{
  description = "longshore: archive-less container images for Nix";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});

      # The CLI, built from this repository with nixpkgs' npm tooling. The bundle in dist/ holds
      # its dependencies, so at run time it needs only node.
      longshoreFor = pkgs: pkgs.buildNpmPackage {
        pname = "longshore";
        version = (builtins.fromJSON (builtins.readFile ./package.json)).version;
        src = nixpkgs.lib.cleanSource self;
        nodejs = pkgs.nodejs;
        # Refresh after changing package-lock.json: set lib.fakeHash, build, copy the hash Nix prints.
        npmDepsHash = nixpkgs.lib.fakeHash;
        npmBuildScript = "build";
        # npm's install hook wraps bin entries with node; bin/longshore is a shell launcher (it defers
        # NODE_EXTRA_CA_CERTS), so install it with absolute paths instead.
        postInstall = ''
          rm -f $out/bin/longshore
          sed -e '1s|.*|#!${pkgs.runtimeShell}|' -e 's|^node=.*|node=${pkgs.nodejs}/bin/node|' \
            -e "s|^main=.*|main=$out/lib/node_modules/longshore/dist/longshore.mjs|" bin/longshore > $out/bin/longshore
          chmod +x $out/bin/longshore
        '';
        meta.mainProgram = "longshore";
      };

      # The library needs only these from a package set; see nix/default.nix.
      libFor = system: pkgs: import ./nix {
        inherit (pkgs) runCommand writeText writeShellScriptBin nix sqlite;
        inherit system;
        longshore = longshoreFor pkgs;
      };

      examplesFor = system: pkgs:
        let longshore = libFor system pkgs;
        in nixpkgs.lib.genAttrs [ "hello" "layered" "non-root" "copy-to-root" "multi-arch" ]
          # The revision goes into the images' org.opencontainers.image.revision annotation.
          (name: import (./examples + "/${name}.nix") { inherit pkgs longshore; revision = self.rev or self.dirtyRev or null; });
    in
    {
      # longshore.lib.${system}.buildImage { … } — nix2container's argument names.
      lib = forAllSystems libFor;

      packages = forAllSystems (system: pkgs:
        let examples = examplesFor system pkgs;
        in examples // {
          longshore = longshoreFor pkgs;
          default = longshoreFor pkgs;
          # nix run .#image.copyToRegistry (or .copyToDockerDaemon, .copyToPodman, .copyTo DEST)
          image = examples.hello;
        });

      apps = forAllSystems (system: pkgs: {
        default = { type = "app"; program = "${longshoreFor pkgs}/bin/longshore"; };
      });
    };
}
