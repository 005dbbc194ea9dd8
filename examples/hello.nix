# The smallest image: one program, its closure in one layer.
{ pkgs, longshore }:
longshore.buildImage {
  name = "hello";
  config.entrypoint = [ "${pkgs.hello}/bin/hello" ];
}
