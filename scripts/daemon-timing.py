#!/usr/bin/env python3
"""Times a send through `reschat daemon` against a cold `./reschat send` (README, "The daemon").

Everything lives in a temporary directory: two profiles with a passphrase and an embedded ledger.
Usage: scripts/daemon-timing.py [COLD_RUNS] [DAEMON_RUNS]
"""
import json, os, socket, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
launcher = os.path.join(here, "reschat")
cold_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
daemon_runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50

with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, RESCHAT_STORE="embedded:" + os.path.join(tmp, "ledger.db"),
               RESCHAT_PASSPHRASE="correct horse battery staple", XDG_CONFIG_HOME=os.path.join(tmp, "config"))

    def reschat(who, *args):
        return subprocess.run([launcher, "--home", os.path.join(tmp, who), *args], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    cards = {who: reschat(who, "init", "--name", who) for who in ("alice", "bob")}
    reschat("alice", "friend", "add", "bob", cards["bob"])
    reschat("bob", "friend", "add", "alice", cards["alice"])

    cold = []
    for i in range(cold_runs):
        start = time.perf_counter()
        reschat("alice", "send", "bob", "cold %d" % i)
        cold.append(time.perf_counter() - start)

    daemon = subprocess.Popen([launcher, "--home", os.path.join(tmp, "alice"), "daemon", "--manual-receive"],
                              env=env, stderr=subprocess.PIPE, text=True)
    try:
        daemon.stderr.readline()  # "reschat daemon: listening on …"
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(os.path.join(tmp, "alice", "daemon.sock"))
        lines = sock.makefile("rw", encoding="utf-8")
        warm = []
        for i in range(daemon_runs):
            start = time.perf_counter()
            lines.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": "send",
                                    "params": {"to": "bob", "text": "warm %d" % i}}) + "\n")
            lines.flush()
            answer = json.loads(lines.readline())
            warm.append(time.perf_counter() - start)
            assert answer["result"]["status"] == "confirmed", answer
        sock.close()
    finally:
        daemon.terminate()
        daemon.wait()

    def ms(xs):
        return "median %.0f ms (min %.0f, max %.0f, n=%d)" % (
            statistics.median(xs) * 1000, min(xs) * 1000, max(xs) * 1000, len(xs))
    print("cold ./reschat send:   " + ms(cold))
    print("send through daemon:   " + ms(warm[5:] if len(warm) > 10 else warm) + " after 5 warm-up sends")
