#!/usr/bin/env bash
# Runs examples/http_hello as users would, with curl: keep-alive (two
# requests, one connection), 404 and 405, a malformed request answered
# with 400 and a close, then SIGTERM with a connection open: exit 0.
set -euo pipefail
bin=$1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(mktemp)
"$bin" "$port" > "$out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
url=http://127.0.0.1:$port

body=$(curl -sS --max-time 10 "$url/")
[ "$body" = "Hello, World!" ] || { echo "GET / answered '$body'"; exit 1; }
# Two requests on one connection: curl says it re-used it.
log=$(curl -sS -v --max-time 10 "$url/plaintext" "$url/plaintext" 2>&1)
[ "$(grep -c '^Hello, World!' <<< "$log")" = 2 ] || { echo "$log"; exit 1; }
grep -qi 're-using existing connection' <<< "$log" || { echo "no keep-alive: $log"; exit 1; }
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$url/nope")
[ "$code" = 404 ] || { echo "GET /nope answered $code"; exit 1; }
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X DELETE "$url/")
[ "$code" = 405 ] || { echo "DELETE / answered $code"; exit 1; }
head=$(curl -sS -I --max-time 10 "$url/plaintext")
grep -q '^Content-Length: 13' <<< "$head" || { echo "HEAD: $head"; exit 1; }

# Malformed input: 400, then the server closes the connection.
reply=$(printf 'NOT HTTP AT ALL\r\n\r\n' | timeout 10 nc -N 127.0.0.1 "$port")
grep -q '^HTTP/1.1 400 Bad Request' <<< "$reply" || { echo "garbage answered '$reply'"; exit 1; }
grep -q '^Connection: close' <<< "$reply" || { echo "garbage answered '$reply'"; exit 1; }
# A header block over the limit is malformed too.
reply=$(python3 -c 'import sys; sys.stdout.write("GET / HTTP/1.1\r\nX: " + "a" * 40000 + "\r\n\r\n")' \
        | timeout 10 nc -N 127.0.0.1 "$port")
grep -q '^HTTP/1.1 400 Bad Request' <<< "$reply" || { echo "huge header answered '$reply'"; exit 1; }
# Connection: close is honoured.
reply=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | timeout 10 nc -N 127.0.0.1 "$port")
grep -q '^Connection: close' <<< "$reply" || { echo "close answered '$reply'"; exit 1; }

# An idle keep-alive connection does not hold up the shutdown.
exec 3<>/dev/tcp/127.0.0.1/"$port"
kill -TERM $pid
status=0
wait $pid || status=$?
exec 3>&-
[ "$status" = 0 ] || { echo "exit status $status"; cat "$out"; exit 1; }
grep -q "shut down" "$out" || { cat "$out"; exit 1; }
echo "http_hello: keep-alive, 404, 400 and graceful shutdown ok"
