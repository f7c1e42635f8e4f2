#!/usr/bin/env python3
"""Drives kyoto-redis from outside, as its users do: the real redis-cli and
redis-benchmark, raw sockets for hostile input, signals for shutdown, and a
real redis-server to compare replies with byte for byte.

    kyoto_redis_check.py <kyoto-redis binary> <section>

Sections: compat, cli, benchmark, hostile, announced_bulks, maxclients,
pubsub, shutdown, sharding, expiry.
Each prints "<section> ok" on success and exits non-zero with a message on
failure; 77 means a tool it needs is not installed (the test is skipped).
Every wait is bounded; servers bind 127.0.0.1 on a port the OS picks."""
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
SECTION = sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


def need(tool):
    if shutil.which(tool) is None:
        print("%s not installed: skipped" % tool)
        sys.exit(77)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([BIN, "--port", "0"] + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"ready on 127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            fail("kyoto-redis did not start: %r" % line)
        self.port = int(m.group(1))
        self.log = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for l in self.proc.stdout:
            self.log.append(l)

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for l in f:
                if l.startswith("VmRSS:"):
                    return int(l.split()[1])
        return 0

    def vm_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for l in f:
                if l.startswith("VmSize:"):
                    return int(l.split()[1])
        return 0

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("kyoto-redis did not exit within %d s of signal %d" % (timeout, sig))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until_closed(s, wait=5.0):
    """Everything the peer sends until it closes (or `wait` seconds pass)."""
    s.settimeout(wait)
    out = b""
    deadline = time.time() + wait
    try:
        while time.time() < deadline:
            d = s.recv(65536)
            if not d:
                return out, True
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    return out, False


def read_for(s, seconds):
    """What arrives within `seconds` (the connection stays open)."""
    s.settimeout(0.05)
    out = b""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            d = s.recv(65536)
            if not d:
                break
            out += d
        except socket.timeout:
            pass
    return out


def request(s, data, expect_len=None, wait=5.0):
    """Sends and reads until `expect_len` bytes (or a pause) arrived."""
    s.sendall(data)
    s.settimeout(wait)
    out = b""
    deadline = time.time() + wait
    while time.time() < deadline:
        if expect_len is not None and len(out) >= expect_len:
            break
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        out += d
        if expect_len is None and out.endswith(b"\r\n"):
            s.settimeout(0.2)
    return out


def ping_ok(port):
    with connect(port) as s:
        got = request(s, b"PING\r\n", expect_len=7)
        return got == b"+PONG\r\n"


def cli(port, *args, stdin=None):
    r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port)] + list(args),
                       input=stdin, capture_output=True, text=True, timeout=30)
    return r.stdout


def talk(port, data, wait=0.4):
    with connect(port) as s:
        s.sendall(data)
        return read_for(s, wait)


def resp_command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


# --------------------------------------------------------------- sections
def section_compat():
    need("redis-server")
    with Server("--quiet") as kr, tempfile.TemporaryDirectory() as tmp:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        rport = s.getsockname()[1]
        s.close()
        redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--dir", tmp],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", rport), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            lines = [l for l in open(os.path.join(HERE, "compat_cases.txt")).read().split("\n")
                     if l and not l.startswith("#")]
            data = b"".join(l.encode() + b"\r\n" for l in lines)
            want = talk(rport, data, 1.0)
            got = talk(kr.port, data, 1.0)
            if want != got:
                w, g = want.split(b"\r\n"), got.split(b"\r\n")
                i = next((i for i in range(min(len(w), len(g))) if w[i] != g[i]), min(len(w), len(g)))
                fail("replies differ at reply line %d: redis %r, kyoto-redis %r" %
                     (i, w[i - 2:i + 3], g[i - 2:i + 3]))
            # Protocol errors and odd framing, each on its own connection.
            cases = [b"*abc\r\n", b"*1\r\n+PING\r\n", b"PING\r\n*1\r\n:1\r\nPING\r\n",
                     b"*1\r\n$-5\r\n", b"*1\r\n$536870913\r\n", b"set k \"abc\r\nPING\r\n",
                     b"set k \"abc\"def\r\n", b"*3000000000\r\n", b"*0\r\n*-1\r\nPING\r\n",
                     b"\r\n\r\nPING\r\n", b"*2\r\n$4\r\nECHO\r\n$3\r\nab\x00\r\n",
                     b"ECHO \"\\x41\\n\" 'it\\'s'\r\n", b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
                     b"*1\r\n$01\r\nP\r\n", b"a" * 70000, b"*" + b"1" * 70000,
                     b"*1\r\n$" + b"1" * 70000, b"PING\n", b"   \r\nPING\r\n",
                     b"FOO " + b"x" * 200 + b" y\r\n", b"FOO a\rb\r\n"]
            for c in cases:
                w, g = talk(rport, c), talk(kr.port, c)
                if w != g:
                    fail("for %r: redis %r, kyoto-redis %r" % (c[:40], w[:200], g[:200]))
            # Replies whose order Redis does not define, compared as sets.
            setup = [("MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeello", "5",
                      "h*llo", "6", "h[llo", "7", "x", "8", "h\\llo", "9")]
            for p in (rport, kr.port):
                talk(p, b"FLUSHALL\r\n" + b"".join(resp_command(*c) for c in setup))
            for pat in ["*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo",
                        "h\\*llo", "h[\\[]llo", "h[", "h\\\\llo", "*llo", "h*", "?", "[x-", "**o"]:
                w = sorted(cli(rport, "KEYS", pat).split("\n"))
                g = sorted(cli(kr.port, "KEYS", pat).split("\n"))
                if w != g:
                    fail("KEYS %s: redis %r, kyoto-redis %r" % (pat, w, g))
            for p in (rport, kr.port):
                talk(p, resp_command("SADD", "s", "a", "b", "c") +
                     resp_command("HSET", "h", "f1", "v1", "f2", "v2"))
            for cmd in (["SMEMBERS", "s"], ["HGETALL", "h"]):
                w, g = sorted(cli(rport, *cmd).split("\n")), sorted(cli(kr.port, *cmd).split("\n"))
                if w != g:
                    fail("%s: redis %r, kyoto-redis %r" % (cmd, w, g))
        finally:
            redis.kill()
            redis.wait()


def section_cli():
    need("redis-cli")
    r = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=10)
    if r.returncode != 0 or not all(o in r.stdout for o in
                                    ("--port", "--bind", "--maxclients", "--threads",
                                     "--proto-max-bulk-len", "--output-buffer-limit")):
        fail("--help: status %d, %r" % (r.returncode, r.stdout))
    r = subprocess.run([BIN, "--no-such-option"], capture_output=True, text=True, timeout=10)
    if r.returncode != 2 or "unknown option" not in r.stderr:
        fail("a bad option: status %d, %r" % (r.returncode, r.stderr))
    with Server("--quiet") as kr:
        p = kr.port
        checks = [
            (["PING"], "PONG"), (["SET", "greeting", "hello world"], "OK"),
            (["GET", "greeting"], "hello world"), (["INCR", "counter"], "1"),
            (["INCRBY", "counter", "41"], "42"), (["RPUSH", "list", "a", "b", "c"], "3"),
            (["LRANGE", "list", "0", "-1"], "a\nb\nc"), (["TYPE", "list"], "list"),
            (["HSET", "user", "name", "kyoto"], "1"), (["HGET", "user", "name"], "kyoto"),
            (["SADD", "tags", "x"], "1"), (["SISMEMBER", "tags", "x"], "1"),
            (["EXPIRE", "greeting", "100"], "1"), (["TTL", "greeting"], "100"),
            (["DBSIZE"], "5"), (["GET", "list"],
                                "WRONGTYPE Operation against a key holding the wrong kind of value"),
            (["NOSUCHCMD", "x"], "ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' "),
            (["GET"], "ERR wrong number of arguments for 'get' command"),
            (["CLIENT", "SETNAME", "me"], "OK"), (["SELECT", "0"], "OK"),
            (["ECHO", "binary\x01safe"], "binary\x01safe"), (["COMMAND", "COUNT"], None),
        ]
        for args, want in checks:
            got = cli(p, *args).rstrip("\n")
            if want is not None and got != want:
                fail("redis-cli %s: want %r, got %r" % (" ".join(args), want, got))
        if not re.fullmatch(r"\d+", cli(p, "COMMAND", "COUNT").strip()):
            fail("COMMAND COUNT is not a number")
        # SCAN through every shard, as redis-cli --scan walks it.
        cli(p, stdin="".join("SET scan:%d v\n" % i for i in range(3000)))
        found = set(cli(p, "--scan", "--pattern", "scan:*").split())
        if found != {"scan:%d" % i for i in range(3000)}:
            fail("redis-cli --scan found %d of 3000 keys" % len(found))
        info = cli(p, "INFO")
        if "# Server" not in info or not re.search(r"connected_clients:\d+", info):
            fail("INFO lacks its sections: %r" % info[:300])
        # A scripted session: commands on redis-cli's standard input, one
        # connection for all of them.
        out = cli(p, stdin="SET a 10\nINCR a\nGET a\nCLIENT SETNAME scripted\nCLIENT GETNAME\n"
                           "MSET k1 v1 k2 v2\nMGET k1 k2 nokey\nDEL k1 k2\n")
        if out != "OK\n11\n11\nOK\nscripted\nOK\nv1\nv2\n\n2\n":
            fail("scripted session: %r" % out)
        # An interactive session on a terminal, as a person types it
        # (redis-cli asks COMMAND DOCS at start and shows its prompt).
        pid, fd = pty.fork()
        if pid == 0:
            # A plain terminal: linenoise then prints its prompt and reads
            # lines without asking the terminal for the cursor position.
            os.environ["TERM"] = "dumb"
            os.execvp("redis-cli", ["redis-cli", "-h", "127.0.0.1", "-p", str(p)])
        screen = b""

        def expect(pattern, secs=10):
            nonlocal screen
            deadline = time.time() + secs
            while time.time() < deadline:
                if re.search(pattern, screen):
                    return
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    try:
                        screen += os.read(fd, 4096)
                    except OSError:
                        break
            fail("interactive redis-cli: no %r on screen: %r" % (pattern, screen[-500:]))

        try:
            expect(rb"127\.0\.0\.1:%d> " % p)
            os.write(fd, b"SET fruit banana\r")
            expect(rb"OK")
            os.write(fd, b"GET fruit\r")
            expect(rb"\"banana\"")
            os.write(fd, b"LPUSH q job1 job2\r")
            expect(rb"\(integer\) 2")
            os.write(fd, b"quit\r")
            deadline = time.time() + 10
            while time.time() < deadline:
                wpid, status = os.waitpid(pid, os.WNOHANG)
                if wpid == pid:
                    break
                time.sleep(0.05)
            else:
                fail("interactive redis-cli did not exit after quit")
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(fd)


def section_benchmark():
    need("redis-benchmark")
    tests = "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,lrange,mset"
    expected = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP",
                "SADD", "HSET", "SPOP", "LPUSH (needed to benchmark LRANGE)",
                "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
                "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)",
                "MSET (10 keys)"]
    with Server("--quiet") as kr:
        for extra in ([], ["-P", "16"]):
            r = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(kr.port), "-q",
                                "-n", "20000", "-t", tests, "--csv"] + extra,
                               capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                fail("redis-benchmark %s exited %d: %s" % (extra, r.returncode, r.stderr[-500:]))
            if "rror" in r.stdout or "rror" in r.stderr:
                fail("redis-benchmark saw errors: %s %s" % (r.stdout[-500:], r.stderr[-500:]))
            names = [m.group(1) for m in re.finditer(r'^"([^"]+)","([0-9.]+)"', r.stdout, re.M)]
            rates = [float(m.group(2)) for m in re.finditer(r'^"([^"]+)","([0-9.]+)"', r.stdout, re.M)]
            if names != expected:
                fail("redis-benchmark %s ran %r, expected %r" % (extra, names, expected))
            if any(x <= 0 for x in rates):
                fail("redis-benchmark %s: a test made no progress: %s" % (extra, r.stdout))
        # What the benchmark wrote is there.
        if int(cli(kr.port, "LLEN", "mylist").strip() or 0) <= 0:
            fail("LPUSH left no list")
        if cli(kr.port, "TYPE", "myhash").strip() != "hash":
            fail("HSET left no hash")
        if not kr.alive():
            fail("the server died")


def section_hostile():
    with Server("--quiet", "--proto-max-bulk-len", "1mb", "--output-buffer-limit", "1mb") as kr:
        p = kr.port
        # 1. A malformed frame: the error, then the connection is closed.
        for data, err in [(b"*1\r\n+PING\r\n", b"-ERR Protocol error: expected '$', got '+'\r\n"),
                          (b"*1\r\n$2000000\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
                          (b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
                          (b"SET k \"open\r\n",
                           b"-ERR Protocol error: unbalanced quotes in request\r\n")]:
            with connect(p) as s:
                s.sendall(data)
                out, closed = read_until_closed(s)
                if out != err or not closed:
                    fail("%r: got %r, closed=%s" % (data, out, closed))
        # 2. A value just under the bulk limit is stored and read back intact.
        big = bytes(range(256)) * 4000  # 1,024,000 bytes
        with connect(p) as s:
            want = b"+OK\r\n$%d\r\n%s\r\n" % (len(big), big)
            got = request(s, resp_command("SET", "big", big) + resp_command("GET", "big"),
                          expect_len=len(want))
            if got != want:
                fail("a 1 MB binary value did not come back intact (%d bytes)" % len(got))
        # 3. Silent clients and random garbage do not disturb the others.
        silent = [connect(p) for _ in range(200)]
        import random
        rnd = random.Random(7)
        for _ in range(50):
            with connect(p) as s:
                try:
                    s.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 3000))))
                    read_until_closed(s, 0.2)
                except OSError:
                    pass
        if not ping_ok(p):
            fail("PING failed beside silent and garbage clients")
        info = cli(p, "INFO", "clients") if shutil.which("redis-cli") else ""
        m = re.search(r"connected_clients:(\d+)", info)
        if m and int(m.group(1)) < 200:
            fail("connected_clients %s with 200 silent clients" % m.group(1))
        for s in silent:
            s.close()
        # 4. A client that sends GETs of the 1 MB value and never reads:
        #    the server holds it back (memory stays bounded) and serves others.
        rss_before = kr.rss_kib()
        hog = connect(p)
        hog.setblocking(False)
        sent = 0
        deadline = time.time() + 3
        req = resp_command("GET", "big") * 64
        while time.time() < deadline:
            try:
                sent += hog.send(req)
            except BlockingIOError:
                time.sleep(0.01)
        if not ping_ok(p):
            fail("PING failed while a client does not read")
        grown = kr.rss_kib() - rss_before
        if grown > 256 * 1024:
            fail("the server grew by %d KiB for a client that does not read" % grown)
        hog.close()
        # 5. A subscriber that does not read is disconnected at the output
        #    buffer limit (1 MB here); the publisher goes on.
        sub = connect(p)
        got = request(sub, resp_command("SUBSCRIBE", "flood"), expect_len=33)
        if not got.startswith(b"*3\r\n$9\r\nsubscribe\r\n"):
            fail("SUBSCRIBE answered %r" % got)
        sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        msg = b"m" * 100000
        receivers = None
        with connect(p) as pub:
            for i in range(400):
                r = request(pub, resp_command("PUBLISH", "flood", msg), expect_len=4)
                receivers = r
                if r == b":0\r\n":
                    break
        if receivers != b":0\r\n":
            fail("the subscriber that never reads was not dropped (last PUBLISH: %r)" % receivers)
        sub.close()
        if not ping_ok(p) or not kr.alive():
            fail("the server is not serving after the hostile clients")


def section_announced_bulks():
    # 64 clients announce 500 MB bulks (under the default 512 MB limit) and
    # send 1 KB of each: the server reserves memory as bytes arrive, not as
    # announced (else 32 GB of address space), and serves the others.
    with Server("--quiet") as kr:
        before = kr.vm_kib()
        conns = []
        for _ in range(64):
            c = connect(kr.port)
            c.sendall(b"*2\r\n$3\r\nSET\r\n$524288000\r\n" + b"x" * 1024)
            conns.append(c)
        time.sleep(0.5)
        if not ping_ok(kr.port):
            fail("PING failed beside clients sending huge bulks")
        grown = kr.vm_kib() - before
        if grown > 2 * 1024 * 1024:
            fail("address space grew by %d KiB for 64 KB of announced bulks" % grown)
        for c in conns:
            c.close()


def section_maxclients():
    with Server("--quiet", "--maxclients", "20") as kr:
        clients = [connect(kr.port) for _ in range(20)]
        for c in clients:
            if request(c, b"PING\r\n", expect_len=7) != b"+PONG\r\n":
                fail("one of the first 20 clients was not served")
        with connect(kr.port) as extra:
            out, closed = read_until_closed(extra)
            if out != b"-ERR max number of clients reached\r\n" or not closed:
                fail("client 21 got %r (closed=%s)" % (out, closed))
        # A burst far over the limit: all refused, none crashes anything.
        burst = []
        for _ in range(300):
            try:
                burst.append(connect(kr.port))
            except OSError:
                pass
        for b in burst:
            b.close()
        for c in clients[:5]:
            c.close()
        deadline = time.time() + 10
        while time.time() < deadline and not ping_ok(kr.port):
            time.sleep(0.1)
        if not ping_ok(kr.port):
            fail("no client is accepted after others left")
        for c in clients[5:]:
            c.close()
    # Thousands of connections at once: 1,000 are served concurrently, the
    # 500 beyond --maxclients are refused with the error, and the server
    # goes on serving.
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 3200:
        print("descriptor limit too low for the 1,500-connection check: skipped")
        return
    with Server("--quiet", "--maxclients", "1000") as kr:
        conns = [connect(kr.port) for _ in range(1000)]
        for c in conns:
            c.sendall(b"PING\r\n")
        for c in conns:
            if request(c, b"", expect_len=7) != b"+PONG\r\n":
                fail("one of 1,000 concurrent clients was not served")
        refused = 0
        extra = [connect(kr.port) for _ in range(500)]
        for c in extra:
            out, closed = read_until_closed(c, 5)
            if out == b"-ERR max number of clients reached\r\n" and closed:
                refused += 1
            c.close()
        if refused != 500:
            fail("%d of 500 clients over --maxclients were refused" % refused)
        # One client leaves; its place is taken by the one asking INFO.
        conns[0].close()
        info = ""
        deadline = time.time() + 10
        while time.time() < deadline and "connected_clients" not in info:
            with connect(kr.port) as s:
                info = request(s, resp_command("INFO", "clients")).decode()
            time.sleep(0.05)
        if "connected_clients:1000\r\n" not in info:
            fail("INFO during the burst: %r" % info)
        for c in conns[1:]:
            c.close()
        deadline = time.time() + 10
        while time.time() < deadline and not ping_ok(kr.port):
            time.sleep(0.1)
        if not ping_ok(kr.port):
            fail("not serving after the burst")


def section_pubsub():
    with Server("--quiet", "--threads", "2") as kr:
        p = kr.port
        a = connect(p)
        b = connect(p)
        ra = request(a, resp_command("SUBSCRIBE", "news", "sport"), expect_len=66)
        if ra != (b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
                  b"*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n"):
            fail("SUBSCRIBE: %r" % ra)
        rb = request(b, resp_command("PSUBSCRIBE", "n*"), expect_len=35)
        if rb != b"*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n":
            fail("PSUBSCRIBE: %r" % rb)
        if request(a, resp_command("GET", "x")) != (
                b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT "
                b"/ RESET are allowed in this context\r\n"):
            fail("a subscribed client ran GET")
        with connect(p) as pub:
            for i in range(100):
                n = request(pub, resp_command("PUBLISH", "news", "item%d" % i), expect_len=4)
                if n != b":2\r\n":
                    fail("PUBLISH reached %r" % n)
        want_a = b"".join(b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$%d\r\n%s\r\n" %
                          (len(b"item%d" % i), b"item%d" % i) for i in range(100))
        want_b = b"".join(b"*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$%d\r\n%s\r\n" %
                          (len(b"item%d" % i), b"item%d" % i) for i in range(100))
        got_a = request(a, b"", expect_len=len(want_a))
        got_b = request(b, b"", expect_len=len(want_b))
        if got_a != want_a or got_b != want_b:
            fail("messages lost or out of order: %d/%d and %d/%d bytes" %
                 (len(got_a), len(want_a), len(got_b), len(want_b)))
        # UNSUBSCRIBE of everything: one confirmation per channel (in no
        # defined order), the last with count 0.
        un = request(a, resp_command("UNSUBSCRIBE"), expect_len=72)
        if (b"$4\r\nnews\r\n" not in un or b"$5\r\nsport\r\n" not in un or
                un.count(b"unsubscribe") != 2 or not un.endswith(b":0\r\n")):
            fail("UNSUBSCRIBE: %r" % un)
        if request(a, resp_command("GET", "x")) != b"$-1\r\n":
            fail("after UNSUBSCRIBE the client is not back to normal")
        a.close()
        b.close()
        # The server notices the closes asynchronously (as Redis does): the
        # count must reach 0 soon, not necessarily at once.
        with connect(p) as pub:
            deadline = time.monotonic() + 10
            while request(pub, resp_command("PUBLISH", "news", "x"), expect_len=4) != b":0\r\n":
                if time.monotonic() > deadline:
                    fail("closed subscribers still counted")
                time.sleep(0.01)


def section_shutdown():
    # SIGTERM while a pipeline is in flight: every command already sent is
    # answered, then the connection closes and the server exits 0.
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        with Server() as kr:
            s = connect(kr.port)
            idle = connect(kr.port)
            n = 2000
            s.sendall(b"INCR x\r\n" * n)
            time.sleep(0.05)
            kr.proc.send_signal(sig)
            out, closed = read_until_closed(s, 10)
            replies = out.count(b"\r\n")
            if replies != n or not out.endswith(b":%d\r\n" % n):
                fail("signal %d: %d of %d replies" % (sig, replies, n))
            if not closed:
                fail("signal %d: the connection stayed open" % sig)
            out, closed = read_until_closed(idle, 10)
            if not closed:
                fail("signal %d: an idle connection stayed open" % sig)
            rc = kr.stop(sig)
            if rc != 0:
                fail("signal %d: exit status %d" % (sig, rc))
            if not any("shut down" in l for l in kr.log):
                fail("no shutdown line: %r" % kr.log)
            try:
                connect(kr.port, timeout=1).close()
                fail("the port still accepts after shutdown")
            except OSError:
                pass
    # SHUTDOWN from redis-cli.
    if shutil.which("redis-cli"):
        with Server("--quiet") as kr:
            cli(kr.port, "SET", "a", "1")
            cli(kr.port, "SHUTDOWN")
            try:
                rc = kr.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                fail("SHUTDOWN did not stop the server")
            if rc != 0:
                fail("SHUTDOWN: exit status %d" % rc)


def section_sharding():
    # Multi-key commands span the shards and stay atomic: two writers MSET
    # the same 64 keys to "a..." and "b..." while a reader MGETs them; every
    # MGET sees one writer's values only. Then KEYS, DBSIZE, DEL, FLUSHDB.
    with Server("--quiet", "--threads", "2") as kr:
        p = kr.port
        keys = ["key:%d" % i for i in range(64)]
        stop = time.time() + 3
        errors = []

        def writer(tag):
            with connect(p) as s:
                i = 0
                while time.time() < stop and not errors:
                    v = "%s%d" % (tag, i)
                    args = ["MSET"]
                    for k in keys:
                        args += [k, v]
                    if request(s, resp_command(*args), expect_len=5) != b"+OK\r\n":
                        errors.append("MSET failed")
                    i += 1

        threads = [threading.Thread(target=writer, args=(t,)) for t in "ab"]
        for t in threads:
            t.start()
        reads = 0
        with connect(p) as s:
            while time.time() < stop and not errors:
                got = request(s, resp_command("MGET", *keys), wait=2)
                while got.count(b"\r\n") < 1 + 64 * 2:
                    more = request(s, b"", wait=1)
                    if not more:
                        break
                    got += more
                values = got.split(b"\r\n")[2:-1:2]
                if len(set(values)) > 1:
                    errors.append("MGET saw a half-done MSET: %r" % sorted(set(values))[:4])
                reads += 1
        for t in threads:
            t.join()
        if errors:
            fail(errors[0])
        if reads < 10:
            fail("only %d MGETs ran" % reads)
        args = ["MSET"]
        for i in range(500):
            args += ["bulk:%d" % i, str(i)]
        with connect(p) as s:
            request(s, resp_command(*args), expect_len=5)
            if request(s, resp_command("DBSIZE")) != b":564\r\n":
                fail("DBSIZE after 564 keys")
            ks = request(s, resp_command("KEYS", "bulk:*"), expect_len=1)
            while ks.count(b"\r\n") < 1 + 1000:
                more = request(s, b"", wait=1)
                if not more:
                    break
                ks += more
            if not ks.startswith(b"*500\r\n"):
                fail("KEYS bulk:* gave %r" % ks[:20])
            if request(s, resp_command("DEL", *["bulk:%d" % i for i in range(0, 500, 2)])) != b":250\r\n":
                fail("DEL across shards")
            if request(s, resp_command("EXISTS", "bulk:1", "bulk:2", "bulk:3")) != b":2\r\n":
                fail("EXISTS across shards")
            if request(s, resp_command("FLUSHDB")) != b"+OK\r\n" or \
                    request(s, resp_command("DBSIZE")) != b":0\r\n":
                fail("FLUSHDB left keys")


def section_expiry():
    # Keys that nobody touches after their deadline are removed by the
    # background task (DBSIZE counts them until then, as Redis's does).
    with Server("--quiet") as kr:
        with connect(kr.port) as s:
            cmds = b"".join(resp_command("SET", "tmp:%d" % i, "v", "PX", "100") for i in range(300))
            cmds += resp_command("SET", "forever", "v")
            out = request(s, cmds, expect_len=5 * 301)
            if out != b"+OK\r\n" * 301:
                fail("SET PX answered %r" % out[:50])
            if request(s, resp_command("DBSIZE")) != b":301\r\n":
                fail("DBSIZE before expiry")
            deadline = time.time() + 10
            size = None
            while time.time() < deadline:
                size = request(s, resp_command("DBSIZE"))
                if size == b":1\r\n":
                    break
                time.sleep(0.1)
            if size != b":1\r\n":
                fail("active expiry left %r keys" % size)
            if request(s, resp_command("GET", "forever")) != b"$1\r\nv\r\n":
                fail("a key without a deadline was removed")
            info = request(s, resp_command("INFO", "stats"))
            if b"expired_keys:300" not in info:
                fail("INFO stats: %r" % info)


if __name__ == "__main__":
    fn = globals().get("section_" + SECTION)
    if fn is None:
        fail("unknown section %s" % SECTION)
    fn()
    print("%s ok" % SECTION)
