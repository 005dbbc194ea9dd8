# One name for two platforms: an amd64 image and an arm64 image, joined into an OCI image index.
# Built on an x86_64 machine, no arm64 machine is needed: the arm64 content comes from a cross
# package set (nixpkgs' pkgsCross.aarch64-multiplatform; another builder's store would do), and
# buildImage with arch = "arm64" only reads and digests it. The index JSON names both image JSONs.
#
#   nix run .#multi-arch.copyToRegistry          # both images by digest, then the index under the tag
#   nix run .#multi-arch.copyToDockerDaemon      # the image for the daemon's platform
{ pkgs, longshore, revision ? null, source ? null }:
let
  annotations = import ./vcs.nix { inherit revision source; };
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
    (image "amd64" pkgs.busybox)
    (image "arm64" pkgs.pkgsCross.aarch64-multiplatform.busybox)
  ];
  inherit annotations;
}
