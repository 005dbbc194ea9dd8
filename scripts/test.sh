#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds the CLI, then runs every test against real
# Nix, skopeo, umoci, registry, dockerd and podman (the tests start the services they use).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent
files=(tests/*.test.ts)
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
