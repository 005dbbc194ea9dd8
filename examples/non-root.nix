# A non-root user, a world-writable /tmp and owned data directories, all written as tar entries:
# no fakeroot, no VM. perms give the application's files an owner and mode.
{ pkgs, longshore, revision ? null, source ? null }:
let
  app = pkgs.writeShellScriptBin "whoami-app" ''
    echo "uid=$(${pkgs.busybox}/bin/id -u) gid=$(${pkgs.busybox}/bin/id -g) user=$(${pkgs.busybox}/bin/id -un)"
    echo ok > /tmp/probe && echo "tmp writable"
    echo ok > /data/probe && echo "data writable"
  '';
in
longshore.buildImage {
  annotations = import ./vcs.nix { inherit revision source; };
  name = "non-root";
  users = [{ name = "app"; uid = 1000; gid = 1000; home = "/home/app"; shell = "${pkgs.busybox}/bin/sh"; }];
  directories = [
    { path = "/tmp"; mode = "1777"; }
    { path = "/data"; mode = "0750"; uid = 1000; gid = 1000; }
  ];
  perms = [{ path = app; regex = "/bin/whoami-app$"; mode = "0750"; uid = 1000; gid = 1000; uname = "app"; gname = "app"; }];
  config = {
    User = "app";
    WorkingDir = "/home/app";
    entrypoint = [ "${app}/bin/whoami-app" ];
  };
}
