#!/usr/bin/env bash
# Runs a command with longshore's Node first on PATH (scripts/node-env.sh). package.json's scripts
# go through here: `npm run X` itself is started by whatever node the machine has.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
exec "$@"
