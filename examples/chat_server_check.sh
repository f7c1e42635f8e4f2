#!/usr/bin/env bash
# Runs examples/chat_server as users would: two clients chat (python
# sockets hold both connections), bad input gets errors, an nc user joins
# and quits, and SIGTERM tells the connected client and exits 0.
set -euo pipefail
bin=$1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(mktemp)
"$bin" "$port" > "$out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done

# An nc user: welcome, then /quit is answered with bye and a close.
reply=$(printf '/quit\n' | timeout 10 nc -N 127.0.0.1 "$port")
grep -q '^\* welcome, you are guest1' <<< "$reply" || { echo "nc got: '$reply'"; exit 1; }
grep -q '^\* bye$' <<< "$reply" || { echo "nc got: '$reply'"; exit 1; }

PORT=$port SERVER_PID=$pid timeout 30 python3 - <<'PY'
import os, signal, socket, sys

port = int(os.environ["PORT"])

class client:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
    def send(self, line):
        self.s.sendall(line.encode() + b"\n")
    def line(self):
        while b"\n" not in self.buf:
            got = self.s.recv(4096)
            if not got:
                raise EOFError("closed, unread: %r" % self.buf)
            self.buf += got
        l, self.buf = self.buf.split(b"\n", 1)
        return l.decode()
    def expect(self, want):
        got = self.line()
        if got != want:
            sys.exit("expected %r, got %r" % (want, got))
    def expect_closed(self):
        try:
            while True:
                if not self.s.recv(4096):
                    return
        except ConnectionResetError:
            return

a = client()
a.expect("* welcome, you are guest2 (/name NEW to change it, /quit)")
b = client()
b.expect("* welcome, you are guest3 (/name NEW to change it, /quit)")
a.expect("* guest3 joined")
b.send("hello from b")
a.expect("guest3: hello from b")
a.send("/name alice")
a.expect("* you are alice")
b.expect("* guest2 is now alice")
a.send("hi b")
b.expect("alice: hi b")
a.send("/name has space")
a.expect("* error: a name is 1 to 32 characters, no spaces or control characters")
a.send("/frobnicate now")
a.expect("* error: unknown command /frobnicate")
b.send("x" * 2000)  # over the 1,024-byte line limit: error, then closed
b.expect("* error: line longer than 1024 bytes, bye")
b.expect_closed()
a.expect("* guest3 left")
os.kill(int(os.environ["SERVER_PID"]), signal.SIGTERM)
a.expect("* server shutting down")
a.expect_closed()
PY
status=0
wait $pid || status=$?
[ "$status" = 0 ] || { echo "exit status $status"; cat "$out"; exit 1; }
grep -q "shut down" "$out" || { cat "$out"; exit 1; }
echo "chat_server: broadcast, errors and graceful shutdown ok"
