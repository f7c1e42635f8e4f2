#!/usr/bin/env bash
# Runs examples/tcp_proxy in front of examples/echo_server as users would:
# a line through nc; 2 MiB both ways from a python client that then
# half-closes (the echo ends only at that end of stream, so everything
# coming back proves the half-close went through); the echo server stopped
# while a client stays connected (the proxy passes the upstream's close
# on); a connection refused upstream; then SIGTERM: the proxy cuts the
# connection still open after 5 seconds and exits 0.
set -euo pipefail
proxy=$1
echo_server=$2
timeout 50 python3 - "$proxy" "$echo_server" <<'PY'
import os, random, re, signal, socket, subprocess, sys, threading, time

proxy_bin, echo_bin = sys.argv[1], sys.argv[2]

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def start(args, ready):
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    first = p.stdout.readline()
    lines.append(first)
    if ready not in first:
        sys.exit("%s did not start: %r" % (args[0], first))
    def pump():
        for l in p.stdout:
            lines.append(l)
    t = threading.Thread(target=pump, daemon=True)
    t.start()
    return p, lines, t

def fail(msg, lines=()):
    sys.stderr.write("".join(lines))
    sys.exit(msg)

echo_port, proxy_port = free_port(), free_port()
echo, echo_log, _ = start([echo_bin, str(echo_port)], "listening")
proxy, log, pump = start([proxy_bin, str(proxy_port), "127.0.0.1:%d" % echo_port], "listening")
try:
    # 1. nc, as in the example's comment.
    out = subprocess.run("printf 'hello via proxy\\n' | timeout 10 nc -q1 127.0.0.1 %d" % proxy_port,
                         shell=True, capture_output=True, text=True).stdout
    if out != "hello via proxy\n":
        fail("nc got %r" % out, log)

    # 2. 2 MiB up while reading what comes back, then a half-close.
    data = random.Random(17).randbytes(2 << 20)
    c = socket.create_connection(("127.0.0.1", proxy_port), timeout=20)
    def send():
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    got = bytearray()
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += b
    t.join()
    c.close()
    if bytes(got) != data:
        fail("echo through the proxy differs: %d bytes back of %d" % (len(got), len(data)), log)

    # 3. A client connected through the proxy while the echo server stops:
    # the echo server closes its side, the proxy passes that on (the client
    # reads the end of stream) and keeps the client's direction open.
    idle = socket.create_connection(("127.0.0.1", proxy_port), timeout=20)
    idle.sendall(b"ping\n")
    if idle.recv(16) != b"ping\n":
        fail("no echo on the idle connection", log)
    echo.send_signal(signal.SIGTERM)
    if echo.wait(timeout=10) != 0:
        fail("echo_server exit status %s" % echo.returncode, echo_log)
    if idle.recv(16) != b"":
        fail("the upstream's close did not reach the client", log)

    # 4. Upstream gone: the proxy closes the new connection and goes on.
    refused = socket.create_connection(("127.0.0.1", proxy_port), timeout=20)
    if refused.recv(16) != b"":
        fail("the connection without an upstream was not closed", log)
    refused.close()

    # 5. SIGTERM: the idle connection (its client side still open) is cut
    # after 5 seconds, and the proxy exits 0.
    start_time = time.monotonic()
    proxy.send_signal(signal.SIGTERM)
    status = proxy.wait(timeout=20)
    pump.join(timeout=5)
    took = time.monotonic() - start_time
    idle.close()
    text = "".join(log)
    if status != 0:
        fail("tcp_proxy exit status %d" % status, log)
    if "#2 closed: 2097152 bytes up, 2097152 bytes down" not in text:
        fail("no byte counts for the 2 MiB connection", log)
    if not re.search(r"#4: cannot reach 127\.0\.0\.1:%d: Connection refused" % echo_port, text):
        fail("no log line for the refused upstream", log)
    m = re.search(r"shut down \(4 connections, 1 open at the signal, 1 cut after 5 s; "
                  r"(\d+) bytes up, (\d+) bytes down\)", text)
    if not m or took < 4:
        fail("unexpected shutdown (%.1f s)" % took, log)
    print("tcp_proxy: proxying, half-close, refused upstream and graceful shutdown ok")
finally:
    for p in (proxy, echo):
        if p.poll() is None:
            p.kill()
PY
