# The image reference grammar of src/reference/grammar.ts (distribution/reference), in the POSIX
# extended regular expressions of builtins.match (no (?:…) groups, "[[]" and "[]]" for brackets;
# match is anchored). The two must
# agree: test/e2e/names.test.ts checks both against one table (test/reference/names.ts).
#
#   name             := [host "/"] path-component ("/" path-component)*, at most 255 characters
#   host             := domain-name or "[" IPv6 "]", then an optional ":" port; only the first of
#                       two or more components, and only when it has a "." or ":" or is localhost
#   domain-component := [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
#   path-component   := [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*
#   tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
let
  inherit (builtins) match split filter isString head tail length stringLength;

  domainComponent = "([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])";
  hostRe = "(${domainComponent}([.]${domainComponent})*|[[][A-Fa-f0-9:]+[]])(:[0-9]+)?";
  pathComponentRe = "[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*";
  tagRe = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

  looksLikeHost = c: match ".*[.:].*" c != null || c == "localhost";
  hasUpper = s: match ".*[A-Z].*" s != null;

  componentProblem = first: c:
    if match pathComponentRe c != null then null
    else if c == "" then ''empty repository component (a "/" at the start or the end, or "//")''
    else ''repository component "${c}" is not valid (${
      if !hasUpper c then ''lowercase letters and digits, joined by ".", "_", "__" or dashes''
      else if first then ''uppercase letters are allowed only in a registry host, which needs a "." or ":" (or is localhost) and a "/NAME" after it''
      else "uppercase letters are allowed only in the registry host"})'';

  firstNonNull = l: let r = filter (x: x != null) l; in if r == [ ] then null else head r;
in
rec {
  # null when `name` is a valid repository name, else what is wrong with it (the messages of
  # src/reference/grammar.ts).
  nameProblem = name:
    let
      parts = filter isString (split "/" name);
      hasHost = length parts > 1 && looksLikeHost (head parts);
      host = head parts;
      path = if hasHost then tail parts else parts;
    in
    if name == "" then "the image name is empty"
    else if hasHost && match hostRe host == null then
      ''registry host "${host}" is not valid (dot-separated parts of letters, digits and inner "-", or an [IPv6] address, then an optional :PORT)''
    else firstNonNull (builtins.genList (i: componentProblem (i == 0 && !hasHost) (builtins.elemAt path i)) (length path)
      ++ [ (if stringLength name > 255 then "the name is ${toString (stringLength name)} characters long; at most 255 are allowed" else null) ]);

  tagProblem = tag:
    if match tagRe tag != null then null
    else if stringLength tag > 128 then ''tag "${tag}" is ${toString (stringLength tag)} characters long; at most 128 are allowed''
    else ''tag "${tag}" is not valid (1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-")'';

  # true, or a throw naming the bad part: `assert checkNameTag "buildImage" name tag;`
  checkNameTag = what: name: tag:
    let
      n = nameProblem name;
      t = if tag == null then null else tagProblem tag;
    in
    if n != null then throw ''longshore: ${what}: name "${name}": ${n}''
    else if t != null then throw "longshore: ${what}: ${t}"
    else true;
}
