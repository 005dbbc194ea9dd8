# The longshore Nix library. Argument names follow nix2container, so migrating is a one-line change.
#
# It needs only these from a package set (nixpkgs provides them; test/nix/pkgs.nix builds them from
# host tools):
#   runCommand name env script   a derivation that runs `script` with a POSIX shell, passing `env`
#                                through (exportReferencesGraph, passAsFile, …) and `$out` set
#   writeText name text          a store file holding `text`
#   writeShellScriptBin name text  $out/bin/<name>, an executable shell script
# plus `longshore` (a package with bin/longshore) and `system` (e.g. "x86_64-linux"). Only
# buildImage's initializeNixDatabase needs two packages more: `nix` (bin/nix-store) and `sqlite`
# (bin/sqlite3, in its `bin` output if it has one), nixpkgs' pkgs.nix and pkgs.sqlite.
{ runCommand, writeText, writeShellScriptBin, longshore, system, nix ? null, sqlite ? null }:
let
  inherit (builtins) toJSON isList map filter replaceStrings substring baseNameOf any;

  toList = x: if x == null then [ ] else if isList x then x else [ x ];

  reference = import ./reference.nix;

  archOf = {
    "x86_64-linux" = { arch = "amd64"; };
    "aarch64-linux" = { arch = "arm64"; variant = "v8"; };
    "i686-linux" = { arch = "386"; };
    "armv7l-linux" = { arch = "arm"; variant = "v7"; };
    "armv6l-linux" = { arch = "arm"; variant = "v6"; };
    "powerpc64le-linux" = { arch = "ppc64le"; };
    "s390x-linux" = { arch = "s390x"; };
    "riscv64-linux" = { arch = "riscv64"; };
  }.${system} or (throw "longshore: no OCI architecture known for system ${system}; pass arch explicitly");

  # exportReferencesGraph needs store paths; this keeps a string's context while dropping any subpath.
  storePathOf = s:
    let m = builtins.match "(${builtins.storeDir}/[^/]+).*" s;
    in if m == null then throw "longshore: ${s} is not in the Nix store" else substring 0 (builtins.stringLength (builtins.head m)) s;

  # A store path name part from an image name: no "/", ":", "@" or IPv6 brackets, and short enough
  # that the longest suffix added here ("-nix-database.drv") stays within Nix's 211 characters.
  safeName = n: substring 0 194 (replaceStrings [ "/" ":" "@" "[" "]" ] [ "-" "-" "-" "" "" ] n);

  # nix2container's deprecated `contents` is copyToRoot under its old name.
  copyToRootOf = fn: copyToRoot: contents:
    if contents == null then copyToRoot
    else if copyToRoot != null then throw "longshore: ${fn}: give copyToRoot or its deprecated name contents, not both"
    else builtins.trace "longshore: ${fn}: contents is deprecated (as in nix2container); use copyToRoot" contents;

  # [ { i = 0; v = first; } … ]: a list with each element's index, to name it in messages.
  indexed = list: builtins.genList (i: { inherit i; v = builtins.elemAt list i; }) (builtins.length list);

  # Rootless declarations become tar entries: no fakeroot, no VM. Each says which argument made it
  # (`by`), so that a conflict or a warning can name it.
  declare = { users, groups, directories, symlinks }:
    let
      userGroups = map (u: { name = u.group or u.name; gid = u.gid or u.uid; }) users;
      allGroups = groups ++ filter (g: !(any (h: h.gid == g.gid || h.name == g.name) groups)) userGroups;
      hasRoot = any (u: u.uid == 0) users;
      hasRootGroup = any (g: g.gid == 0) allGroups;
      passwdLine = u: "${u.name}:x:${toString u.uid}:${toString (u.gid or u.uid)}:${u.description or u.name}:${u.home or "/var/empty"}:${u.shell or "/sbin/nologin"}\n";
      groupLine = g: "${g.name}:x:${toString g.gid}:${builtins.concatStringsSep "," (g.members or [ ])}\n";
      passwd = (if hasRoot then "" else "root:x:0:0:root:/root:/bin/sh\n") + builtins.concatStringsSep "" (map passwdLine users);
      group = (if hasRootGroup then "" else "root:x:0:\n") + builtins.concatStringsSep "" (map groupLine allGroups);
      homes = map ({ i, v }: { path = v.home; type = "directory"; mode = "0755"; uid = v.uid; gid = v.gid or v.uid; by = "users[${toString i}] (${v.name}) home"; })
        (filter ({ v, ... }: (v.home or null) != null && v.home != "/var/empty" && (v.createHome or true)) (indexed users));
    in
    (if users == [ ] && groups == [ ] then [ ] else [
      { path = "/etc/passwd"; type = "file"; mode = "0644"; content = passwd; by = "users"; }
      { path = "/etc/group"; type = "file"; mode = "0644"; content = group; by = "groups"; }
    ])
    ++ homes
    ++ map ({ i, v }: { type = "directory"; mode = "0755"; by = "directories[${toString i}]"; } // v) (indexed directories)
    ++ map ({ i, v }: { type = "symlink"; by = "symlinks[${toString i}]"; } // v) (indexed symlinks);

  layerSpecOf =
    { deps ? [ ]
    , copyToRoot ? null
    , ignore ? null
    , layers ? [ ]
    , perms ? [ ]
    , maxLayers ? 1
    , reproducible ? true # accepted for nix2container compatibility: longshore layers are always reproducible
    , metadata ? { created_by = "longshore"; }
    , layeringStrategy ? "size" # or "popularity" (nix2container's)
    , users ? [ ]
    , groups ? [ ]
    , directories ? [ ]
    , symlinks ? [ ]
    , name ? "layers"
    , contents ? null # nix2container's deprecated name for copyToRoot
    }:
    let
      copyToRoot' = copyToRootOf "buildLayer" copyToRoot contents;
      roots = toList deps ++ toList copyToRoot';
      # Symlink targets in the store must be in the image too.
      linkTargets = map storePathOf (filter (t: substring 0 11 t == "/nix/store/") (map (s: s.target) symlinks));
      spec = {
        deps = toList deps ++ linkTargets;
        copyToRoot = toList copyToRoot';
        ignore = toList ignore;
        inherit layers maxLayers metadata;
        strategy = layeringStrategy;
        perms = map (p: p // { path = "${p.path}"; }) perms;
        entries = declare { inherit users groups directories symlinks; };
      };
    in
    {
      inherit spec name;
      closure = map (p: storePathOf "${p}") (roots ++ linkTargets);
    };

  # Structured attrs hand longshore the spec, the closure graph (with NAR sizes) and $out as one JSON.
  buildLayer = args:
    let l = layerSpecOf args;
    in runCommand "${safeName l.name}.json"
      {
        __structuredAttrs = true;
        inherit (l) spec;
        exportReferencesGraph.closure = l.closure;
      }
      ''${longshore}/bin/longshore build-layers'';


  buildImage =
    { name
    , tag ? null
    , config ? { }
    , layers ? [ ]
    , copyToRoot ? null
    , perms ? [ ]
    , maxLayers ? 1
    , created ? "1970-01-01T00:00:01Z"
    , arch ? archOf.arch
      # The system's variant for the system's architecture; none for another (arch = "arm64" on x86_64).
    , variant ? (if arch == archOf.arch then archOf.variant or null else null)
    , os ? "linux"
    , annotations ? { } # the manifest's annotations (config.Labels are the config's)
    , metadata ? { created_by = "longshore"; }
    , layeringStrategy ? "size"
    , users ? [ ]
    , groups ? [ ]
    , directories ? [ ]
    , symlinks ? [ ]
    , fromImage ? null
    , compression ? null # "gzip", "zstd" or "none": how pushes send this image's layers (default: gzip to registries)
    , compressionLevel ? null
      # nix2container's other arguments, so that migrating is a one-line change; any other name is
      # an error (Nix names it), where `...` would let a typo such as `maxLayer` pass unnoticed.
    , initializeNixDatabase ? false
    , nixUid ? 0 # only with initializeNixDatabase, as in nix2container
    , nixGid ? 0
    , fromImageEnv ? false # longshore always keeps the base config, Env included
    , contents ? null # nix2container's deprecated name for copyToRoot
    , meta ? { }
    }:
    # The reference grammar of src/reference/, so a bad name or tag fails at evaluation, naming the bad part.
    assert reference.checkNameTag "buildImage" name tag;
    let
      copyToRoot' = copyToRootOf "buildImage" copyToRoot contents;
      # The config's own store-path references become part of the image, without the config file itself.
      configFile = writeText "${safeName name}-config.json" (toJSON config);
      layerArgs = {
        name = "${safeName name}-layers";
        deps = [ configFile ];
        ignore = configFile;
        copyToRoot = copyToRoot';
        inherit perms maxLayers layers metadata layeringStrategy users groups directories symlinks;
      };
      # Every store path of the image registered as valid, so that nix works inside the container.
      # The database's own store path is in the image too (copyToRoot paths always are), unregistered.
      nixDatabase =
        assert nix != null && sqlite != null
          || throw "longshore: initializeNixDatabase needs `nix` and `sqlite` in the package set given to longshore's library (nixpkgs' pkgs.nix and pkgs.sqlite)";
        runCommand "${safeName name}-nix-database"
          {
            __structuredAttrs = true;
            exportReferencesGraph.closure = (layerSpecOf layerArgs).closure ++ map (l: "${l}") layers;
            exclude = map (l: "${l}") ([ configFile ] ++ layers);
            nixStore = "${nix}/bin/nix-store";
            sqlite3 = "${sqlite.bin or sqlite}/bin/sqlite3";
          }
          ''${longshore}/bin/longshore build-nix-db'';
      top = layerSpecOf (layerArgs // (if initializeNixDatabase then {
        copyToRoot = toList copyToRoot' ++ [ nixDatabase ];
        # As nix2container: the database tree, and /nix and /nix/store above it, belong to
        # nixUid:nixGid, so that a non-root nix can add to the store.
        perms = perms ++ [ { path = nixDatabase; regex = ".*"; mode = "0755"; uid = nixUid; gid = nixGid; by = "initializeNixDatabase"; } ];
        directories = directories ++ map (path: { inherit path; mode = "0755"; uid = nixUid; gid = nixGid; by = "initializeNixDatabase"; }) [ "/nix" "/nix/store" ];
      } else { }));
      spec = {
        inherit name tag config created arch variant os annotations;
        compression = if compression == null then null else { type = compression; level = compressionLevel; };
        layers = if fromImage == null then [ ] else [ fromImage ];
      };
      # The image's own layers are digested in the same derivation that assembles the image.
      image = runCommand "image-${safeName name}.json"
        {
          __structuredAttrs = true;
          inherit spec;
          # With a Nix database, the build warns about perms and declarations that change a store path.
          layerSpec = top.spec // (if initializeNixDatabase then { nixDatabase = true; } else { });
          exportReferencesGraph.closure = top.closure;
        }
        ''${longshore}/bin/longshore build-image'';
    in
    image // passthrus image name tag // {
      # fromImage as in nix2container, so that `nix run .#IMAGE.fromImage.getManifest` works.
      inherit meta fromImage;
      # What buildImageIndex reads: the platform this image is for.
      platform = { inherit os arch variant; };
    } // (if initializeNixDatabase then { inherit nixDatabase; } else { });

  # The attributes an image (or an index) result carries: its name and tag, and scripts copying it.
  passthrus = json: name: tag:
    let
      imageName = name;
      imageTag = if tag != null then tag else builtins.unsafeDiscardStringContext (substring 0 32 (baseNameOf json.outPath));
      copyScript = n: dest: writeShellScriptBin n ''exec ${longshore}/bin/longshore copy ${json} ${dest} "$@"'';
    in
    {
      inherit imageName imageTag;
      # nix2container's name for "NAME:TAG" without building the image; not for use in derivations.
      imageRefUnsafe = builtins.unsafeDiscardStringContext "${imageName}:${imageTag}";
      copyTo = copyScript "copy-to" "";
      copyToRegistry = copyScript "copy-to-registry" "docker://${imageName}:${imageTag}";
      copyToDockerDaemon = copyScript "copy-to-docker-daemon" "docker-daemon:${imageName}:${imageTag}";
      copyToPodman = copyScript "copy-to-podman" "podman:${imageName}:${imageTag}";
    };

  # One name for several platforms: an OCI image index over buildImage results, each for its own
  # platform (arch, variant, os). The index JSON names the image JSONs; `longshore copy` pushes each
  # image by digest and then the index under the tag, or gives a daemon the image for its platform.
  buildImageIndex =
    { name
    , tag ? null
    , images
    , annotations ? { } # the index's annotations
    }:
    assert reference.checkNameTag "buildImageIndex" name tag;
    let
      platformOf = i: i.platform or (throw "longshore: buildImageIndex ${name}: images must be buildImage results (${i.name or "an image"} has no platform)");
      # arm64 without a variant is arm64/v8, as in the registries' indexes.
      key = p: "${p.os}/${p.arch}/${if p.variant == null && p.arch == "arm64" then "v8" else toString p.variant}";
      shown = p: "${p.os}/${p.arch}${if p.variant == null then "" else "/${p.variant}"}";
      label = n: i: "images[${toString n}] (${i.imageRefUnsafe or i.name or "?"})";
      indexed = builtins.genList (n: { inherit n; i = builtins.elemAt images n; }) (builtins.length images);
      checked = builtins.foldl'
        (seen: e:
          let k = key (platformOf e.i);
          in if seen ? ${k}
          then throw "longshore: buildImageIndex ${name}: ${label seen.${k}.n seen.${k}.i} and ${label e.n e.i} are both for ${shown (platformOf e.i)}; an index holds one image per platform"
          else seen // { ${k} = e; })
        { }
        indexed;
      index = writeText "index-${safeName name}.json" (toJSON {
        version = 1;
        kind = "longshore-image-index";
        inherit name annotations;
        ${if tag != null then "tag" else null} = tag;
        images = map (i: "${i}") images;
      });
    in
    assert images != [ ] || throw "longshore: buildImageIndex ${name}: images is empty";
    assert builtins.isAttrs checked;
    index // passthrus index name tag // {
      inherit images;
    };
  pull = import ./pull.nix { inherit runCommand writeShellScriptBin longshore; platform = archOf; };
in
{
  inherit buildImage buildImageIndex buildLayer;
  inherit (pull) pullImage pullImageFromManifest;
  # nix2container's earlier name for pullImageFromManifest.
  pullImageByManifest = pull.pullImageFromManifest;
}
