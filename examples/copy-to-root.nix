# copyToRoot puts a package's files at / (here /bin/sh and friends), while the store paths stay
# intact, so programs that refer to their own store path keep working.
{ pkgs, longshore, revision ? null, source ? null }:
let
  root = pkgs.buildEnv { name = "root"; paths = [ pkgs.busybox ]; pathsToLink = [ "/bin" ]; };
  # Reads a file from its own store path: breaks if the store path were moved to /.
  selfRef = pkgs.runCommand "self-ref" { } ''
    mkdir -p $out/bin $out/share
    echo "self-reference intact" > $out/share/message
    printf '#!${pkgs.busybox}/bin/sh\ncat %s/share/message\n' "$out" > $out/bin/self-ref
    chmod +x $out/bin/self-ref
  '';
in
longshore.buildImage {
  annotations = import ./vcs.nix { inherit revision source; };
  name = "copy-to-root";
  copyToRoot = [ root selfRef ];
  config.Cmd = [ "/bin/sh" "-c" "self-ref; ls /bin/sh" ];
  config.Env = [ "PATH=/bin" ];
}
