# One name for two platforms: an amd64 image and an arm64 image, joined into an OCI image index.
# Built on an x86_64 machine, no arm64 machine is needed: the arm64 content comes from a cross
# package set (nixpkgs' pkgsCross.aarch64-multiplatform; another builder's store would do), and
# buildImage with arch = "arm64" only reads and digests it. The index JSON names both image JSONs.
# (On an aarch64 machine the roles swap: the amd64 content is the cross-built one.)
#
#   nix run .#multi-arch.copyTo -- docker://registry.example.com/multi-arch:1.0   # both images by digest, then the index under 1.0
#   nix run .#multi-arch.copyToDockerDaemon      # the image for the daemon's platform
{ pkgs, longshore, revision ? null, source ? null }:
let
  annotations = import ./vcs.nix { inherit revision source; };
  system = pkgs.stdenv.hostPlatform.system;
  amd64 = if system == "x86_64-linux" then pkgs else pkgs.pkgsCross.gnu64;
  arm64 = if system == "aarch64-linux" then pkgs else pkgs.pkgsCross.aarch64-multiplatform;
  image = arch: busybox: longshore.buildImage {
    name = "multi-arch";
    inherit arch annotations;
    # Prints the machine it runs on: x86_64, or aarch64 (under qemu-user on an x86_64 host).
    config.Cmd = [ "${busybox}/bin/busybox" "uname" "-m" ];
  };
in
longshore.buildImageIndex {
  name = "multi-arch";
  images = [
    (image "amd64" amd64.busybox)
    (image "arm64" arm64.busybox)
  ];
  inherit annotations;
}
