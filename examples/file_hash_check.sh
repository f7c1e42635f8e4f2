#!/usr/bin/env bash
# Runs examples/file_hash over a 24 MiB file (more than fs::file's 2 MiB
# operations and many buf_reader fills), an empty file, the CRC-32 check
# string "123456789" (cbf43926) and a missing file; python3's zlib.crc32
# is the reference.
set -euo pipefail
bin=$1
timeout 50 python3 - "$bin" <<'PY'
import os, random, subprocess, sys, tempfile, zlib

bin = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    files = {
        "big.bin": random.Random(5).randbytes(24 << 20),
        "empty": b"",
        "check": b"123456789",
    }
    paths = []
    for name, data in files.items():
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(data)
        paths.append(p)
    missing = os.path.join(d, "missing")
    run = subprocess.run([bin, paths[0], missing, *paths[1:]], capture_output=True, text=True,
                         timeout=40)
    want = "".join("%08x  %d  %s\n" % (zlib.crc32(data), len(data), p)
                   for p, data in zip(paths, files.values()))
    if run.stdout != want:
        sys.exit("file_hash printed:\n%s\nwanted:\n%s" % (run.stdout, want))
    if "%08x" % zlib.crc32(b"123456789") != "cbf43926":
        sys.exit("reference check value")
    err = run.stderr.splitlines()
    if (run.returncode != 1 or len(err) != 1 or not err[0].startswith("file_hash: ")
            or missing not in err[0] or not err[0].endswith("No such file or directory")):
        sys.exit("status %d, stderr %r" % (run.returncode, run.stderr))
print("file_hash: checksums match zlib.crc32, missing file reported")
PY
