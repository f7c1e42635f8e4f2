#!/usr/bin/env bash
# Runs examples/echo_server as a user would: echoes through `nc`, then
# shuts down on SIGTERM with exit status 0.
set -euo pipefail
bin=$1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(mktemp)
"$bin" "$port" > "$out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
reply=$(printf 'hello kyoto\n' | timeout 10 nc -q1 127.0.0.1 "$port")
[ "$reply" = "hello kyoto" ] || { echo "unexpected echo: '$reply'"; exit 1; }
# A connection left open while the server shuts down is drained.
exec 3<>/dev/tcp/127.0.0.1/"$port"
kill -TERM $pid
status=0
wait $pid || status=$?
exec 3>&-
[ "$status" = 0 ] || { echo "exit status $status"; cat "$out"; exit 1; }
grep -q "shut down" "$out" || { cat "$out"; exit 1; }
echo "echo_server: echo and graceful shutdown ok"
