#!/usr/bin/env bash
# Starts (or finds) a local registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1.
# usage: scripts/registry.sh start|stop [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-start}
port=${2:-${LONGSHORE_REGISTRY_PORT:-5000}}
dir=.tmp/registry-$port
case "$cmd" in
  start)
    if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then echo "registry: already answering on 127.0.0.1:$port" >&2; exit 0; fi
    mkdir -p "$dir/data"
    cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $PWD/$dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
    nohup docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 1 50); do
      curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { echo "registry: started on 127.0.0.1:$port (log: $dir/log)" >&2; exit 0; }
      sleep 0.1
    done
    echo "registry: did not start; see $dir/log" >&2; cat "$dir/log" >&2; exit 1 ;;
  stop)
    [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null && rm -f "$dir/pid" && echo "registry: stopped" >&2 || true ;;
  *) echo "usage: $0 start|stop [PORT]" >&2; exit 2 ;;
esac
