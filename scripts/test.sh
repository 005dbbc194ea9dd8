#!/usr/bin/env bash
# The test suites. `scripts/test.sh` (npm test) installs what the tests need, builds the CLI, then
# runs every test: the unit tier (test/<area>/, mirroring src/) and the end-to-end tier (test/e2e/,
# against real Nix, skopeo, umoci, registry, dockerd and podman, which the tests start).
# `scripts/test.sh unit` (npm run test:unit) runs the unit tier alone: no services, no root.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
echo "test.sh: node $(node --version) ($(command -v node))" >&2
tier=${1:-all}
if [ "$tier" = unit ]; then
  mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
  exec node --import tsx --test --test-reporter=spec "${files[@]}"
fi
bash scripts/setup.sh
npm run build --silent
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
