#!/usr/bin/env bash
# Idempotent: installs the host tools longshore's examples, tests and benches need, Node 24 when the
# machine's is older, then npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(nix-bin busybox-static skopeo umoci docker-registry docker.io podman runc openssl ca-certificates apache2-utils uidmap time sqlite3)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Nix from Debian: single-user as root, no sandbox, no substituters (the binary cache is unreachable).
$SUDO mkdir -p /etc/nix /nix/var/nix
if ! grep -q '^sandbox = false' /etc/nix/nix.conf 2>/dev/null; then
  printf 'sandbox = false\nsubstituters =\nexperimental-features = nix-command flakes\nbuild-users-group =\n' | $SUDO tee /etc/nix/nix.conf >/dev/null
fi
# Podman: no ulimits (the sandbox forbids raising them), runc runtime.
if ! grep -q 'default_ulimits' /etc/containers/containers.conf 2>/dev/null; then
  $SUDO mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n' | $SUDO tee -a /etc/containers/containers.conf >/dev/null
fi
# Node 24 (scripts/node-env.sh): the machine's node if it is that new, else a pinned build in .tools/.
. scripts/node-env.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
