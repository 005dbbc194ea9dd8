#!/usr/bin/env bash
# The main job: build examples/hello with Nix and push it, straight from /nix/store, to a local
# registry this script starts; then push again to show that nothing is re-sent.
#   npm run demo [-- EXAMPLE]   EXAMPLE: hello (default), layered, non-root, copy-to-root, multi-arch
#   LONGSHORE_REGISTRY_PORT=N   the registry's port (default 5000); it keeps running afterwards
#                               (bash scripts/registry.sh stop N)
set -euo pipefail
cd "$(dirname "$0")/.."
example=${1:-hello}
port=${LONGSHORE_REGISTRY_PORT:-5000}
bash scripts/setup.sh
. scripts/node-env.sh
npm run build --silent
bash scripts/registry.sh start "$port"
node=$(readlink -f "$(command -v node)")
echo "== nix-build examples/$example.nix (layer digests computed at build time, no tarball)" >&2
copy=$(nix-build scripts/demo.nix --argstr example "$example" --argstr node "$node" -A copyTo --no-out-link --option substituters '')
image=$(nix-build scripts/demo.nix --argstr example "$example" --argstr node "$node" --no-out-link --option substituters '')
echo "== the image JSON: $image" >&2
bin/longshore inspect "$image"
ref="docker://127.0.0.1:$port/$example:latest"
echo "== $copy/bin/copy-to $ref" >&2
"$copy/bin/copy-to" "$ref"
echo "== again: every layer is already there" >&2
"$copy/bin/copy-to" "$ref"
echo "== skopeo inspect $ref" >&2
skopeo inspect --tls-verify=false "$ref" | head -20
echo "== the registry on 127.0.0.1:$port keeps running; stop it with: bash scripts/registry.sh stop $port" >&2
