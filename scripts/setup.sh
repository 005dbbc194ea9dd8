#!/usr/bin/env bash
# Idempotent: installs the host tools longshore's examples, tests and benches need, Node 24 when the
# machine's is older, then npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(nix-bin busybox-static skopeo umoci docker-registry docker.io podman runc openssl ca-certificates apache2-utils uidmap time sqlite3 qemu-user-static)
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

# apt options for a private apt state in DIR (a suite of the machine's Debian mirror, checked against
# Debian's signed index; the system's sources, lists and dpkg state are never touched):
# private_apt DIR ARCH SUITE... sets the array APT_PRIVATE. Nothing is installed through it.
private_apt() {
  local dir=$1 arch=$2
  shift 2
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs" "$dir/root"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "${LONGSHORE_DEBIAN_MIRROR:-http://deb.debian.org/debian}" "$*" >"$dir/private.sources"
  APT_PRIVATE=(-o "Dir::Etc::SourceList=$dir/private.sources" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o "Dir::State::status=/dev/null"
    -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o APT::Sandbox::User=root)
  apt-get "${APT_PRIVATE[@]}" -qq update
}

# --- dockerd 26 with the containerd image store, for the daemon tests (self-contained block) ---
# New Docker installs run dockerd with the containerd image store (dockerd 26 with
# {"features":{"containerd-snapshotter":true}}; the default since Docker 29), whose load differs
# from Debian 12's dockerd 20.10 on overlay2 (image IDs, which layer files an archive may leave out).
# The daemon tests run against both (test/helpers/docker.ts). Debian 13's docker.io and containerd
# run here unchanged: their debs are fetched with a private apt state (trixie is never added to the
# system's sources), checked against the SHA256s pinned below (as trixie's signed Packages index
# lists them) and unpacked into .tools/docker26 (git-ignored). Nothing is installed or started.
# When trixie updates a package the pinned version leaves the mirror: update the pin from
# `apt-cache show` (the error says so).
D26_DIR=.tools/docker26
D26_DEBS=(
  "docker.io=26.1.5+dfsg1-9+deb13u1+b1 53ae1a99f15113f0a0d2226808ec0d24ee31b3b87b87ab8ec35be09a1a2ee13b"
  "containerd=1.7.24~ds1-6+deb13u1 ed708deb96fe476a3bce4efa5c0538dfbcf717ab9a7c7944ba7260342c25899c"
)
if [ "$(dpkg --print-architecture)" != amd64 ]; then
  echo "setup: dockerd 26 for the tests is pinned for amd64 only; skipping" >&2
elif [ "$(cat "$D26_DIR/.pinned" 2>/dev/null)" != "${D26_DEBS[*]}" ]; then
  echo "setup: fetching Debian 13's docker.io and containerd into $D26_DIR" >&2
  d26tmp=$(mktemp -d)
  trap 'rm -rf "$d26tmp"' EXIT
  private_apt "$d26tmp" amd64 trixie
  d26apt=("${APT_PRIVATE[@]}")
  for entry in "${D26_DEBS[@]}"; do
    pkg=${entry%% *} sum=${entry##* }
    listed=$(apt-cache "${d26apt[@]}" show "$pkg" 2>/dev/null | sed -n 's/^SHA256: //p' | head -1) || true
    if [ -z "$listed" ]; then
      echo "setup: $pkg is no longer in trixie; pin the current version and SHA256 (apt-cache show ${pkg%%=*}) in scripts/setup.sh" >&2
      exit 1
    fi
    [ "$listed" = "$sum" ] || { echo "setup: trixie lists $pkg with SHA256 $listed, pinned $sum" >&2; exit 1; }
    (cd "$d26tmp/debs" && apt-get "${d26apt[@]}" -qq download "$pkg")
  done
  for entry in "${D26_DEBS[@]}"; do
    pkg=${entry%% *} sum=${entry##* }
    deb=$(ls "$d26tmp/debs/${pkg%%=*}"_*.deb)
    echo "$sum  $deb" | sha256sum -c --quiet - || { echo "setup: $deb does not match its pinned SHA256" >&2; exit 1; }
    dpkg-deb -x "$deb" "$d26tmp/root"
  done
  printf '%s' "${D26_DEBS[*]}" >"$d26tmp/root/.pinned"
  rm -rf "$D26_DIR"
  mkdir -p "$(dirname "$D26_DIR")"
  mv "$d26tmp/root" "$D26_DIR"
  rm -rf "$d26tmp"
  trap - EXIT
  echo "setup: $("$D26_DIR/usr/sbin/dockerd" --version), containerd $("$D26_DIR/usr/bin/containerd" --version | awk '{print $3}')" >&2
fi

# --- busybox for arm64, for the multi-arch tests (self-contained block) ---
# Debian 12's busybox-static for arm64, fetched with a private apt state (the system's dpkg keeps its
# one architecture; nothing is installed) and unpacked into .tools/busybox-arm64 (git-ignored).
# apt checks the deb against bookworm's signed Packages index. test/nix/pkgs.nix makes it the
# package set's busyboxArm64; the image JSON of an arm64 image needs no arm64 machine.
BB_DIR=.tools/busybox-arm64
if [ ! -x "$BB_DIR/bin/busybox" ]; then
  echo "setup: fetching Debian 12's busybox-static for arm64 into $BB_DIR" >&2
  bbtmp=$(mktemp -d)
  trap 'rm -rf "$bbtmp"' EXIT
  private_apt "$bbtmp" arm64 bookworm bookworm-updates
  bbapt=("${APT_PRIVATE[@]}")
  (cd "$bbtmp/debs" && apt-get "${bbapt[@]}" -qq download busybox-static)
  deb=$(ls "$bbtmp/debs"/busybox-static_*_arm64.deb)
  dpkg-deb -x "$deb" "$bbtmp/root"
  mkdir -p "$BB_DIR/bin"
  cp "$bbtmp/root/bin/busybox" "$BB_DIR/bin/busybox"
  basename "$deb" >"$BB_DIR/.version"
  rm -rf "$bbtmp"
  trap - EXIT
  echo "setup: $(cat "$BB_DIR/.version") in $BB_DIR" >&2
fi
