#!/usr/bin/env bash
# Runs examples/port_scan over a range of 127.0.0.1 holding one listening
# port (must be reported open) and one bound but not listening (must be
# reported closed: connection refused).
set -euo pipefail
bin=$1
timeout 50 python3 - "$bin" <<'PY'
import re, socket, subprocess, sys

bin = sys.argv[1]
for _ in range(50):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: refused
    c = closed.getsockname()[1]
    if c + 1 > 65535:
        closed.close()
        continue
    listening = socket.socket()
    try:
        listening.bind(("127.0.0.1", c + 1))
    except OSError:
        closed.close()
        continue
    listening.listen(16)
    break
else:
    sys.exit("could not reserve two neighbouring ports")
o = c + 1
first, last = max(1, c - 20), min(65535, o + 20)
run = subprocess.run([bin, str(first), str(last), "8", "1000"], capture_output=True, text=True,
                     timeout=40)
print(run.stdout, end="")
if run.returncode != 0:
    sys.exit("port_scan exited with %d: %s" % (run.returncode, run.stderr))
opened = [int(p) for p in re.findall(r"^127\.0\.0\.1:(\d+) open$", run.stdout, re.M)]
if o not in opened:
    sys.exit("the listening port %d was not reported open" % o)
if c in opened:
    sys.exit("the bound, not listening port %d was reported open" % c)
m = re.search(r"scanned (\d+) ports in \d+ ms: (\d+) open, (\d+) closed, (\d+) timed out", run.stdout)
if not m or int(m.group(1)) != last - first + 1 or sum(map(int, m.groups()[1:])) != last - first + 1:
    sys.exit("bad summary")
bad = subprocess.run([bin, "10", "1"], capture_output=True, text=True, timeout=10)
if bad.returncode != 2 or "usage" not in bad.stderr:
    sys.exit("a reversed range was not refused with the usage")
print("port_scan: ok")
PY
