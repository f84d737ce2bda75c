#!/usr/bin/env python3
"""bench.py - envssm side by side with what users would otherwise run.

    python3 bench/bench.py --envssm ./envssm --out bench/results.md [--scale 0.5]
        [--envssm-static build/static-TRIPLET/envssm --floor-static bench/floor-static]

Starts tests/fakessm.py over HTTPS on 127.0.0.1 (its generated CA passed to
every client as AWS_CA_BUNDLE, SigV4 checking on), seeds the parameters of
every case, and for each case runs the tools round-robin (the order rotated
each round), each exec'ing /bin/true, measuring per run: wall time, CPU time
(user+sys of the child and its reaped descendants, from wait4), peak RSS
(ru_maxrss), SSM requests and TCP connections (deltas of the fake's
/__fake/stats over one kept-alive control connection) and the fake's own CPU
time (/proc/PID/stat). Before timing, every tool runs once with `env -0` as
the program and its resulting environment is compared with envssm's.

With --envssm-static and --floor-static, the static envssm (`make static`)
and the floor built and linked the same way (`make -C bench static`) run
beside the dynamic pair at N=10, 100 and 1000, and a "Static binary" section
reports their sizes, times, memory and the targets set for them.

Then a herd (100 envssm at once against --rate-limit 40 --burst 40), envssm's
CA modes (AWS_CA_BUNDLE set vs unset, in a private mount namespace where the
fake's CA is added to the system bundle), syscall counts (strace -c) and
instruction counts (callgrind), and writes a Markdown report.

Python standard library only (boto3 and the aws CLI are the peers measured).
Servers bind 127.0.0.1 only; the fake is stopped by PID.
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import fakessm  # noqa: E402  (the project's fake SSM)

ACCESS_KEY = fakessm.DEFAULT_ACCESS_KEY
SECRET_KEY = fakessm.DEFAULT_SECRET_KEY
REGION = "us-east-1"
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

# Variables that redirect a TLS client's trust or OpenSSL's configuration. A
# login shell may export any of them (this machine's does); the tools' base
# environment is built from nothing, so none may reach them: AWS_CA_BUNDLE
# (the fake's CA) is the only trust setting every tool gets.
TRUST_VARS = ("SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE",
              "OPENSSL_CONF", "OPENSSL_MODULES", "NIX_SSL_CERT_FILE")

# Parameter sets: PATH -> (generate spec, number of parameters)
DATA = {
    "/bench/n10": "/bench/n10:10",
    "/bench/n100": "/bench/n100:100",
    "/bench/n1000": "/bench/n1000:1000",
    "/bench/two-a": "/bench/two-a/a:100",
    "/bench/two-b": "/bench/two-b/b:100",
    "/bench/herd": "/bench/herd:30",
}


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# --------------------------------------------------------------------------
# The fake's control API over one kept-alive connection


class Control:
    """GET /__fake/stats and POST /__fake/config over one HTTPS connection, so the
    control traffic adds no connection to the counts between two snapshots."""

    def __init__(self, url, ca):
        u = url.split("://", 1)[1]
        host, _, port = u.partition(":")
        self.host, self.port = host, int(port.rstrip("/"))
        self.ctx = ssl.create_default_context(cafile=ca)
        self.conn = None
        self.connects = 0

    def _call(self, method, path, body=None):
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                                        timeout=30)
                self.connects += 1
            try:
                data = None if body is None else json.dumps(body).encode()
                self.conn.request(method, path, body=data,
                                  headers={"Content-Type": "application/json"})
                r = self.conn.getresponse()
                out = json.loads(r.read() or b"null")
                if r.status != 200:
                    raise RuntimeError("fake control %s %s: %s %s" % (method, path, r.status, out))
                return out, fresh
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def stats(self):
        """(stats dict, True when this call had to open a connection)."""
        return self._call("GET", "/__fake/stats")

    def config(self, **options):
        return self._call("POST", "/__fake/config", options)[0]

    def params(self, items):
        return self._call("POST", "/__fake/params", items)[0]

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def proc_cpu_ms(pid):
    """utime+stime of process PID (all its threads), in ms."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


# --------------------------------------------------------------------------
# Running one tool once


class Runner:
    """Runs tools through bench/measure (see measure.c: ru_maxrss must be the tool's,
    not the Python harness's) and takes the fake's counters around each run."""

    def __init__(self, ctl, fake_pid, workdir, measure):
        self.ctl = ctl
        self.fake_pid = fake_pid
        self.workdir = workdir
        self.measure = measure
        self.errpath = os.path.join(workdir, "stderr.txt")
        self.report = os.path.join(workdir, "measure.json")

    def spawn_measured(self, argv, env, count=1, errpath=None):
        errpath = errpath or self.errpath
        open(errpath, "w").close()
        p = subprocess.run([self.measure, "-o", self.report, "-e", errpath, "-n", str(count),
                            "--", *argv], env=env, cwd=self.workdir, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
        if p.returncode != 0:
            raise RuntimeError("measure failed: %s" % p.stderr.decode(errors="replace"))
        with open(self.report) as f:
            return json.load(f)

    def run(self, argv, env):
        """One timed run: a dict of measurements."""
        s0, _ = self.ctl.stats()
        c0 = proc_cpu_ms(self.fake_pid)
        rep = self.spawn_measured(argv, env)
        c1 = proc_cpu_ms(self.fake_pid)
        s1, reconnected = self.ctl.stats()
        ch = rep["children"][0]
        r = {
            "wall_ms": rep["wall_ns"] / 1e6,
            "cpu_ms": (ch["user_us"] + ch["sys_us"]) / 1000.0,
            "user_ms": ch["user_us"] / 1000.0,
            "sys_ms": ch["sys_us"] / 1000.0,
            "rss_kb": ch["maxrss_kb"],
            "minflt": ch.get("minflt", float("nan")),
            "requests": s1["requests"] - s0["requests"],
            "connections": s1["connections_accepted"] - s0["connections_accepted"]
                           - (1 if reconnected else 0),
            "tls_failures": s1["tls_handshake_failures"] - s0["tls_handshake_failures"],
            "server_cpu_ms": c1 - c0,
            "exit": ch["exit"],
        }
        if r["exit"] != 0:
            with open(self.errpath, errors="replace") as f:
                r["stderr"] = f.read()[-600:]
        return r

    def env_of(self, argv, env):
        """Run argv (ending in `env -0`) and return the environment it printed."""
        p = subprocess.run(argv, env=env, cwd=self.workdir, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        if p.returncode != 0:
            raise RuntimeError("%s exited %d: %s" % (argv[0], p.returncode,
                                                     p.stderr.decode(errors="replace")[-600:]))
        out = {}
        for item in p.stdout.split(b"\0"):
            if item:
                k, _, v = item.partition(b"=")
                out[k.decode(errors="replace")] = v.decode(errors="replace")
        return out


# --------------------------------------------------------------------------
# The tools


class Tool:
    def __init__(self, key, label, make_argv, maps=True):
        self.key, self.label, self.make_argv, self.maps = key, label, make_argv, maps

    def argv(self, paths, command):
        return self.make_argv(paths, command)


def make_tools(a):
    py = a.python
    aws = a.aws

    def envssm(paths, cmd):
        return [a.envssm, *paths, "--", *cmd]

    def floor(paths, cmd):
        return [a.floor, *paths, "--", *cmd]

    def boto(paths, cmd):
        return [py, os.path.join(HERE, "boto3_fetch.py"), *paths, "--", *cmd]

    def awscli(paths, cmd):
        assert len(paths) == 1
        p = paths[0]
        line = "%s ssm get-parameters-by-path --path %s --recursive --with-decryption " \
               "--output json | %s %s %s -- %s" % (
                   shlex.quote(aws), shlex.quote(p), shlex.quote(py),
                   shlex.quote(os.path.join(HERE, "mapper.py")), shlex.quote(p),
                   " ".join(shlex.quote(c) for c in cmd))
        return ["/bin/sh", "-c", line]

    tools = {
        "envssm": Tool("envssm", "envssm", envssm),
        "floor": Tool("floor", "bare libcurl floor (bench/floor.c)", floor, maps=False),
        "boto3": Tool("boto3", "boto3 paginator + map + execve", boto),
        "awscli": Tool("awscli", "aws CLI \\| python mapper + execve", awscli),
    }
    if a.envssm_static:
        tools["envssm-static"] = Tool("envssm-static", "envssm, static",
                                      lambda paths, cmd: [a.envssm_static, *paths, "--", *cmd])
    if a.floor_static:
        tools["floor-static"] = Tool("floor-static", "bare libcurl floor, static "
                                     "(bench/floor-static)",
                                     lambda paths, cmd: [a.floor_static, *paths, "--", *cmd],
                                     maps=False)
    return tools


# --------------------------------------------------------------------------
# Statistics and formatting


def mmm(values):
    v = [x for x in values if x == x]
    if not v:
        return (float("nan"),) * 3
    return min(v), statistics.median(v), max(v)


def med(values):
    return mmm(values)[1]


def fmt(x, nd=1):
    if x != x:
        return "n/a"
    if abs(x) >= 1000:
        return "%.0f" % x
    if abs(x) >= 100:
        return "%.0f" % x if nd == 0 else "%.*f" % (max(nd - 1, 0), x)
    return "%.*f" % (nd, x)


def fmt3(t, nd=1):
    return " / ".join(fmt(x, nd) for x in t)


def fmt_counts(values):
    lo, hi = min(values), max(values)
    return "%d" % lo if lo == hi else "%d–%d" % (lo, hi)


def ratio(a, b):
    if b != b or a != a or b == 0:
        return "n/a"
    return "%.2f×" % (a / b)


# --------------------------------------------------------------------------
# Cases


class Bench:
    def __init__(self, a):
        self.a = a
        self.tools = make_tools(a)
        self.results = {}   # case id -> {"title", "rows": {tool key: [runs]}, ...}
        self.notes = []
        self.checks = []

    # ---- environment

    def base_env(self, ca=True):
        """The tools' whole environment, built from nothing (see TRUST_VARS)."""
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": self.home,
            "LANG": "C.UTF-8",
            "PWD": self.workdir,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,  # the aws CLI v1 reads only this one
            "AWS_ENDPOINT_URL": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        if ca:
            env["AWS_CA_BUNDLE"] = self.ca
        assert not set(env) & set(TRUST_VARS)
        return env

    # ---- the correctness check before timing

    def expected_env(self, paths):
        env = self.base_env()
        for path in paths:
            prefix, _, n = DATA[path].rpartition(":")
            n = int(n)
            width = max(4, len(str(max(n - 1, 0))))
            for i in range(n):
                name = "%s/p%0*d" % (prefix, width, i)
                rel = name[len(path):].lstrip("/")
                var = re.sub(r"[^A-Za-z0-9_]", "_", rel).upper()
                env[var] = fakessm.generated_value(name, i)
        return env

    def check_env(self, case, paths, tools):
        """Each tool's resulting environment must equal envssm's (and envssm's the
        expected one); the floor maps nothing, so it must leave the base alone."""
        cmd = ["/usr/bin/env", "-0"]
        env = self.base_env()
        want = self.expected_env(paths)
        got = self.runner.env_of(self.tools["envssm"].argv(paths, cmd), env)
        problems = []
        if got != want:
            problems.append("envssm differs from the expected environment: %s" % diff(want, got))
        nvars = len(got) - len(env)
        leaked = sorted(set(got) & set(TRUST_VARS))
        if leaked:
            problems.append("the calling environment's %s reached envssm" % ", ".join(leaked))
        for key in tools:
            if key == "envssm":
                continue
            t = self.tools[key]
            other = self.runner.env_of(t.argv(paths, cmd), env)
            leaked = sorted(set(other) & set(TRUST_VARS))
            if leaked:
                problems.append("the calling environment's %s reached %s" % (
                    ", ".join(leaked), t.label))
            if t.maps and other != got:
                problems.append("%s differs from envssm: %s" % (t.label, diff(got, other)))
            if not t.maps and other != env:
                problems.append("%s changed the environment: %s" % (t.label, diff(env, other)))
        ok = not problems
        self.checks.append((case, paths, [self.tools[k].label for k in tools], nvars, ok,
                            problems))
        if not ok:
            for p in problems:
                log("ENV CHECK FAILED (%s): %s" % (case, p))
        return ok

    # ---- one case: round-robin, rotated order

    def measure(self, case, title, paths_of, reps, latency_ms=0, check=True, extra=None):
        """paths_of: tool key -> list of PATHs; reps: tool key -> repetitions."""
        self.ctl.config(latency_ms=latency_ms if latency_ms else "off")
        keys = list(reps)
        if check:
            groups = {}
            for k in keys:
                base = k.split("@")[0]
                ks = groups.setdefault(tuple(paths_of[k]), ["envssm"])
                if base not in ks:
                    ks.append(base)
            for paths, ks in groups.items():
                self.check_env(case, list(paths), ks)
        env = self.base_env()
        rows = {k: [] for k in keys}
        t0 = time.monotonic()
        for rnd in range(max(reps.values())):
            order = keys[rnd % len(keys):] + keys[:rnd % len(keys)]
            for k in order:
                if rnd >= reps[k]:
                    continue
                tool = self.tools[k.split("@")[0]]
                r = self.runner.run(tool.argv(paths_of[k], ["/bin/true"]), env)
                if r["exit"] != 0:
                    log("%s: %s failed (exit %d): %s" % (case, k, r["exit"],
                                                         r.get("stderr", "").strip()))
                rows[k].append(r)
        self.ctl.config(latency_ms="off")
        log("%s: %d runs in %.1f s" % (case, sum(len(v) for v in rows.values()),
                                       time.monotonic() - t0))
        self.results[case] = {"title": title, "rows": rows, "paths": paths_of,
                              "latency_ms": latency_ms, **(extra or {})}
        return rows

    # ---- the herd

    def herd(self, runs=3, n=100, rate=40, burst=40):
        path = "/bench/herd"
        nparams = int(DATA[path].rpartition(":")[2])
        pages = -(-nparams // 10)
        env = self.base_env()
        argv = [self.a.envssm, path, "--", "/bin/true"]
        out = []
        for i in range(runs):
            self.ctl.config(latency_ms="off", rate_limit=rate, burst=burst)  # a full bucket
            errpath = os.path.join(self.workdir, "herd-stderr-%d.txt" % i)
            s0, _ = self.ctl.stats()
            c0 = proc_cpu_ms(self.fake_pid)
            rep = self.runner.spawn_measured(argv, env, count=n, errpath=errpath)
            ch = rep["children"]
            codes = [c["exit"] for c in ch]
            cpu = sum(c["user_us"] + c["sys_us"] for c in ch) / 1000.0
            rss = max(c["maxrss_kb"] for c in ch)
            c1 = proc_cpu_ms(self.fake_pid)
            s1, reconnected = self.ctl.stats()
            self.ctl.config(rate_limit=0)
            outcomes = {k: s1["by_outcome"].get(k, 0) - s0["by_outcome"].get(k, 0)
                        for k in set(s1["by_outcome"]) | set(s0["by_outcome"])}
            with open(errpath, errors="replace") as f:
                errs = [l for l in f.read().splitlines() if l.strip()]
            r = {
                "wall_s": rep["wall_ns"] / 1e9,
                "spawn_s": rep["spawn_ns"] / 1e9,
                "requests": s1["requests"] - s0["requests"],
                "ok": outcomes.get("ok", 0),
                "throttled": outcomes.get("throttled", 0),
                "other": {k: v for k, v in outcomes.items() if k not in ("ok", "throttled") and v},
                "connections": s1["connections_accepted"] - s0["connections_accepted"]
                               - (1 if reconnected else 0),
                "failures": sum(1 for c in codes if c != 0),
                "cpu_ms": cpu,
                "rss_kb": rss,
                "server_cpu_ms": c1 - c0,
                "max_conc": s1["max_concurrent_connections"],
                "errors": sorted(set(re.sub(r"request [0-9a-f-]+", "request …", e)
                                     for e in errs))[:5],
            }
            log("herd %d: %.2f s, %d requests (%d throttled), %d failures" % (
                i + 1, r["wall_s"], r["requests"], r["throttled"], r["failures"]))
            out.append(r)
            time.sleep(1.0)
        self.results["herd"] = {"runs": out, "n": n, "rate": rate, "burst": burst,
                                "pages": pages, "nparams": nparams}

    # ---- CA modes in a private mount namespace

    def ca_modes(self, reps):
        """envssm's CA modes. The fake's certificate chains to its own CA, which no system
        trust store holds, and the system's is not to be changed; so the runs happen in a
        private mount namespace (unshare --mount) where a copy of /etc/ssl/certs with the
        fake's CA added (hashed links made by `openssl rehash`, and the fake's CA appended
        to ca-certificates.crt) is bind-mounted over /etc/ssl/certs for those processes
        only."""
        certs = os.path.join(self.workdir, "etc-ssl-certs")
        os.makedirs(certs, exist_ok=True)
        n_sys = 0
        for name in sorted(os.listdir("/etc/ssl/certs")):
            src = os.path.join("/etc/ssl/certs", name)
            if name.endswith(".pem") and os.path.isfile(src):
                shutil.copyfile(src, os.path.join(certs, name))
                n_sys += 1
        shutil.copyfile(self.ca, os.path.join(certs, "fakessm-ca.pem"))
        rehash = subprocess.run(["openssl", "rehash", certs], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        if rehash.returncode != 0 and shutil.which("c_rehash"):
            rehash = subprocess.run(["c_rehash", certs], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        combined = os.path.join(certs, "ca-certificates.crt")
        with open(combined, "wb") as out:
            with open(SYSTEM_BUNDLE, "rb") as f:
                out.write(f.read())
            with open(self.ca, "rb") as f:
                out.write(b"\n" + f.read())
        spec = {"url": self.url, "ca": self.ca, "fake_pid": self.fake_pid,
                "workdir": self.workdir, "home": self.home, "certs": certs,
                "hashed": rehash.returncode == 0, "reps": reps, "measure": self.a.measure,
                "envssm": self.a.envssm, "floor": self.a.floor}
        sub = [sys.executable, os.path.abspath(__file__), "--ca-sub", json.dumps(spec)]
        method = None
        if shutil.which("unshare") and os.geteuid() == 0:
            p = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", *sub],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
            if p.returncode == 0:
                method = "namespace"
            else:
                log("CA modes: private mount namespace unavailable (%s); falling back"
                    % p.stderr.decode(errors="replace").strip()[-300:])
        if method is None:
            spec["no_namespace"] = True
            sub[-1] = json.dumps(spec)
            p = subprocess.run(sub, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
            if p.returncode != 0:
                log("CA modes failed: %s" % p.stderr.decode(errors="replace")[-600:])
                return
            method = "no-namespace"
        sys.stderr.write(p.stderr.decode(errors="replace"))
        data = json.loads(p.stdout)
        self.results["ca"] = {"rows": data["rows"], "labels": data["labels"], "method": method,
                              "n_system": count_pem(SYSTEM_BUNDLE), "bundle_bytes":
                              os.path.getsize(SYSTEM_BUNDLE), "hashed_files": n_sys + 1,
                              "check": data.get("check")}

    # ---- syscalls and instructions

    def profile(self):
        prof = {}
        env = self.base_env()
        statics = [k for k in ("envssm-static", "floor-static") if k in self.tools]
        if shutil.which("strace"):
            for key in ("envssm", "floor", *statics):
                out = os.path.join(self.workdir, "strace-%s.txt" % key)
                argv = ["strace", "-f", "-c", "-o", out,
                        *self.tools[key].argv(["/bench/n10"], ["/bin/true"])]
                subprocess.run(argv, env=env, cwd=self.workdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=120)
                prof["strace-" + key] = parse_strace(out)
                # opens and mmaps, by file
                out2 = os.path.join(self.workdir, "strace-files-%s.txt" % key)
                argv = ["strace", "-f", "-e", "trace=openat,execve", "-o", out2,
                        *self.tools[key].argv(["/bench/n10"], ["/bin/true"])]
                subprocess.run(argv, env=env, cwd=self.workdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=120)
                prof["files-" + key] = parse_opens(out2)
        if shutil.which("valgrind") and not self.a.no_callgrind:
            # --dump-before=execve: the profile of the tool itself, written just before it
            # becomes /bin/true (valgrind would otherwise lose it at the exec)
            # the static binaries are stripped, and callgrind needs names (execve's
            # among them): their unstripped twins from `make -C bench static` run
            # instead, when their code is the stripped binaries' byte for byte
            twins = {}
            for key, binary in (("envssm-static", self.a.envssm_static),
                                ("floor-static", self.a.floor_static)):
                twin = os.path.join(HERE, key + "-syms")
                if key in statics and same_code(twin, binary):
                    twins[key] = twin
                elif key in statics:
                    log("no unstripped twin of %s with the same code: no callgrind profile "
                        "of it" % binary)
            prof["twins"] = sorted(twins)
            for key in ("envssm", "floor", *twins):
                for path in ("/bench/n10", "/bench/n1000"):
                    out = os.path.join(self.workdir, "callgrind-%s-%s" % (key, path[7:]))
                    argv = self.tools[key].argv([path], ["/bin/true"])
                    if key in twins:
                        argv[0] = twins[key]
                    argv = ["valgrind", "--tool=callgrind", "--dump-before=execve",
                            "--callgrind-out-file=" + out, *argv]
                    subprocess.run(argv, env=env, cwd=self.workdir, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=300)
                    prof["callgrind-%s-%s" % (key, path[7:])] = callgrind_summary(out + ".1")
            # the start-up rungs, dynamic and static, in instructions
            for name in ("ladder-empty", "ladder-init", "ladder-empty-static",
                         "ladder-init-static"):
                prog = os.path.join(HERE, name)
                if not os.access(prog, os.X_OK):
                    continue
                out = os.path.join(self.workdir, "callgrind-" + name)
                subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                                prog], env=env, cwd=self.workdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=120)
                prof["instr-" + name] = callgrind_summary(out, annotate=False)["total"]
        prof["ladder"] = self.ladder()
        self.results["profile"] = prof

    # ---- the start-up ladder

    def ladder(self, reps=20):
        """What a process costs before it does any work: /bin/true, an empty C program,
        the same linked with libcurl (its whole dependency tree loaded and relocated),
        and that plus curl_global_init + curl_easy_init (OpenSSL initialised); then, when
        `make -C bench static` built them, an empty static program and the static libcurl
        initialised the same way."""
        progs = [("/bin/true", "`/bin/true`")]
        for name, label in (("ladder-empty", "empty C program (envssm's build flags)"),
                            ("ladder-ossl", "… linked with `-lssl -lcrypto` only, "
                             "`OPENSSL_init_ssl` (with the config file, as `curl_global_init`)"),
                            ("ladder-linked", "… linked with `-lcurl` instead (nothing called)"),
                            ("ladder-init", "… plus `curl_global_init` + `curl_easy_init`"),
                            ("ladder-empty-static", "empty C program, static (`make static`'s "
                             "flags: `-static`, gc-sections, stripped)"),
                            ("ladder-init-static", "… linked with the static libcurl (HTTP and "
                             "HTTPS only) + OpenSSL, `curl_global_init` + `curl_easy_init`")):
            path = os.path.join(HERE, name)
            if os.access(path, os.X_OK):
                progs.append((path, label))
        env = self.base_env()
        rows = {p: [] for p, _ in progs}
        for _ in range(reps):
            for p, _label in progs:
                r = self.runner.spawn_measured([p], env)
                c = r["children"][0]
                rows[p].append((r["wall_ns"] / 1e6, (c["user_us"] + c["sys_us"]) / 1000.0,
                                c["maxrss_kb"] / 1024.0, c.get("minflt", float("nan"))))
        out = []
        for p, label in progs:
            libs = None
            if p != "/bin/true":
                q = subprocess.run(["ldd", p], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                libs = len([l for l in q.stdout.decode().splitlines() if "=>" in l])
            out.append({"label": label, "libs": libs, "name": os.path.basename(p),
                        "wall": mmm([x[0] for x in rows[p]]), "cpu": mmm([x[1] for x in rows[p]]),
                        "rss": mmm([x[2] for x in rows[p]]),
                        "minflt": mmm([x[3] for x in rows[p]])})
        return out

    def calibrate_sleep(self, n=50):
        """How late a 20 ms threading.Event.wait (the fake's latency mechanism) wakes."""
        import threading
        ev = threading.Event()
        xs = []
        for _ in range(n):
            t = time.perf_counter()
            ev.wait(0.02)
            xs.append((time.perf_counter() - t) * 1000.0 - 20.0)
        self.results["sleep_overshoot"] = mmm(xs)

    # ---- the harness's own floor

    def baseline(self, reps=15):
        """/bin/true alone through the same harness: the spawn + exec + reap cost and the
        smallest peak RSS a run can report."""
        runs = [self.runner.spawn_measured(["/bin/true"], self.base_env()) for _ in range(reps)]
        self.results["baseline"] = {
            "wall": mmm([r["wall_ns"] / 1e6 for r in runs]),
            "cpu": mmm([(r["children"][0]["user_us"] + r["children"][0]["sys_us"]) / 1000.0
                        for r in runs]),
            "rss": mmm([r["children"][0]["maxrss_kb"] / 1024.0 for r in runs]),
        }

    # ---- everything

    def run(self):
        a = self.a
        self.workdir = tempfile.mkdtemp(prefix="envssm-bench-")
        self.home = os.path.join(self.workdir, "home")
        os.makedirs(self.home)
        gens = []
        for spec in DATA.values():
            gens += ["--generate", spec]
        t_start = time.monotonic()
        self.load_before = os.getloadavg()
        fake_err = open(os.path.join(self.workdir, "fakessm.log"), "w")
        self.fake = fakessm.FakeSSMProcess("--tls-dir", os.path.join(self.workdir, "tls"),
                                           "--host", "127.0.0.1", *gens, stderr=fake_err)
        self.fake.start()
        try:
            self.url, self.ca, self.fake_pid = self.fake.url, self.fake.ca, self.fake.pid
            self.ctl = Control(self.url, self.ca)
            self.runner = Runner(self.ctl, self.fake_pid, self.workdir, self.a.measure)
            self.baseline()
            log("fake SSM at %s (pid %d), work dir %s" % (self.url, self.fake_pid, self.workdir))
            self.cases()
        finally:
            self.ctl.close()
            self.fake.stop()
            fake_err.close()
        self.elapsed = time.monotonic() - t_start
        self.load_after = os.getloadavg()
        if not a.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def cases(self):
        a, s = self.a, self.a.scale
        peers = [k for k in ("envssm", "floor", "boto3", "awscli") if k not in a.skip]
        statics = [k for k in ("envssm-static", "floor-static") if k in self.tools]
        fast_keys = ("envssm", "floor", *statics)

        def reps(fast, slow, keys=peers):
            return {k: max(1, round((fast if k in fast_keys else slow) * s)) for k in keys}

        # the static pair runs beside the dynamic one at L=0 only: there start-up
        # and CPU are what the wall time shows
        for n, fast, slow in ((10, 40, 15), (100, 30, 10), (1000, 20, 6)):
            path = "/bench/n%d" % n
            keys = peers[:2] + statics + peers[2:]
            self.measure("n%d" % n, "N=%d, L=0 ms" % n, {k: [path] for k in keys},
                         reps(fast, slow, keys), extra={"n": n, "pages": -(-n // 10) or 1})
        self.calibrate_sleep()
        self.measure("n1000-l20", "N=1000, L=20 ms", {k: ["/bench/n1000"] for k in peers},
                     reps(8, 3), latency_ms=20, check=False,
                     extra={"n": 1000, "pages": 100})
        two = {"envssm": ["/bench/two-a", "/bench/two-b"],
               "envssm@a": ["/bench/two-a"], "envssm@b": ["/bench/two-b"],
               "floor": ["/bench/two-a", "/bench/two-b"]}
        r2 = {k: max(1, round(12 * s)) for k in two}
        if "boto3" in peers:
            two["boto3"] = ["/bench/two-a", "/bench/two-b"]
            r2["boto3"] = max(1, round(4 * s))
        self.measure("two", "two PATHs, 2 × 100 parameters, L=20 ms", two, r2, latency_ms=20,
                     check=True, extra={"n": 200, "pages": 20})
        self.ca_modes(max(3, round(30 * s)))
        self.herd(runs=a.herd_runs)
        self.profile()


def count_pem(path):
    with open(path, "rb") as f:
        return f.read().count(b"-----BEGIN CERTIFICATE-----")


def diff(want, got):
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(k for k in set(want) & set(got) if want[k] != got[k])
    parts = []
    for what, keys in (("missing", missing), ("extra", extra), ("different value", changed)):
        if keys:
            parts.append("%s %s%s" % (what, ", ".join(keys[:5]), " …" if len(keys) > 5 else ""))
    return "; ".join(parts) or "same"


def same_code(a, b):
    """True when ELF files a and b carry the same .text and .rodata bytes."""
    if not (a and b and os.access(a, os.X_OK) and os.access(b, os.X_OK)):
        return False
    with tempfile.TemporaryDirectory(prefix="envssm-bench-code-") as d:
        for sec in (".text", ".rodata"):
            got = []
            for i, f in enumerate((a, b)):
                o = os.path.join(d, "%d%s" % (i, sec))
                p = subprocess.run(["objcopy", "-O", "binary", "--only-section=" + sec, f, o],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if p.returncode != 0:
                    return False
                with open(o, "rb") as fh:
                    got.append(fh.read())
            if got[0] != got[1] or not got[0]:
                return False
    return True


def link_map_sizes(path):
    """Bytes each input archive or object puts in the file's allocated, non-empty
    sections (.bss-like sections, which take no room in the file, left out), from an
    ld -Map file: {name: bytes}."""
    sizes = {}
    try:
        f = open(path, errors="replace")
    except OSError:
        return sizes
    with f:
        started, pending = False, None
        for line in f:
            if not started:
                started = line.startswith("Linker script and memory map")
                continue
            m = re.match(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
            m2 = re.match(r"^ (\.\S+)\s*$", line)
            m3 = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
            if m:
                name, size, src = m.group(1), int(m.group(3), 16), m.group(4)
            elif m2:
                pending = m2.group(1)
                continue
            elif m3 and pending:
                name, size, src = pending, int(m3.group(2), 16), m3.group(3)
            else:
                pending = None
                continue
            pending = None
            if name.startswith((".debug", ".comment", ".note", ".bss", ".tbss", ".gnu.warning",
                                ".stab")) or "COMMON" in name:
                continue
            lib = re.sub(r"\(.*", "", src).rsplit("/", 1)[-1]
            sizes[lib] = sizes.get(lib, 0) + size
    return sizes


def parse_strace(path):
    """strace -c summary: {"total": calls, "errors": n, "top": [(name, calls)]}."""
    out = {"total": None, "top": []}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    rows = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 5 and parts[-1] == "total":
            out["total"] = int(parts[3])
            out["errors"] = int(parts[4]) if len(parts) >= 6 and parts[4].isdigit() else 0
        elif len(parts) >= 5 and re.match(r"^[\d.]+$", parts[0]) and parts[-1] != "total":
            rows.append((parts[-1], int(parts[3])))
    rows.sort(key=lambda r: -r[1])
    out["top"] = rows[:10]
    return out


def parse_opens(path):
    files = []
    try:
        with open(path) as f:
            for line in f:
                m = re.search(r'openat\(AT_FDCWD, "([^"]+)".*= (-?\d+)', line)
                if m and int(m.group(2)) >= 0:
                    files.append(m.group(1))
    except OSError:
        pass
    libs = [f for f in files if re.search(r"\.so(\.|$)", f)]
    other = [f for f in files if f not in libs]
    return {"libs": len(set(libs)), "other": sorted(set(other))}


PROFILE_GROUPS = [
    ("loading and relocating shared libraries (ld.so before main)", ["_dl_start"]),
    ("`curl_global_init` (OpenSSL init, config file)", ["curl_global_init"]),
    ("… OpenSSL's config file (`CONF_modules_load_file_ex`)", ["CONF_modules_load_file_ex"]),
    ("`curl_easy_perform` (all requests: connect, TLS, HTTP)", ["curl_easy_perform"]),
    ("… TLS handshakes (`SSL_do_handshake`)", ["SSL_do_handshake"]),
    ("… CA file parsing (`X509_STORE_load_file`)", ["X509_STORE_load_file"]),
    ("… TLS context set-up (`SSL_CTX_new`)", ["SSL_CTX_new"]),
    ("SigV4 signing (`sigv4_sign`)", ["sigv4_sign"]),
    ("response parsing (`ssm_parse_page`: cJSON, NUL scan, copies)", ["ssm_parse_page"]),
    ("… `cJSON_ParseWithLengthOpts`", ["cJSON_ParseWithLengthOpts"]),
    ("… `cJSON_Delete` (frees through `mem_free_secure`)", ["cJSON_Delete"]),
    ("… `aws_json_has_nul`", ["aws_json_has_nul"]),
    ("request bodies (`request_body`: cJSON build + print)", ["request_body"]),
    ("name mapping (`vars_add_path`)", ["vars_add_path"]),
    ("… reserved-name check (`names_reserved`)", ["names_reserved"]),
    ("environment building (`envp_build`)", ["envp_build"]),
    ("signal snapshot (`exec_snapshot`)", ["exec_snapshot"]),
    ("releasing and wiping (`run_release` + `mem_free_secure` overall)", ["run_release"]),
]


def callgrind_summary(path, annotate=True):
    """Total instructions and the inclusive instructions of PROFILE_GROUPS' functions."""
    out = {"total": None, "fn": {}}
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("totals:") or line.startswith("summary:"):
                    out["total"] = int(line.split()[1])
                    break
    except OSError:
        return out
    if not annotate or not shutil.which("callgrind_annotate"):
        return out
    p = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
    want = {fn for _, fns in PROFILE_GROUPS + STATIC_PROFILE_GROUPS for fn in fns}
    for line in p.stdout.decode(errors="replace").splitlines():
        m = re.match(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(\S.*)$", line)
        if not m:
            continue
        name = re.sub(r"\s*\[[^\]]*\]$", "", m.group(3).strip())
        fn = name.rsplit(":", 1)[-1]
        fn = re.sub(r"\.(constprop|isra|part)\.\d+$", "", fn)
        if fn in want and fn not in out["fn"]:  # the outermost (first, largest) entry
            out["fn"][fn] = int(m.group(1).replace(",", ""))
    return out


# --------------------------------------------------------------------------
# The CA-mode sub-run (inside `unshare --mount`)


def ca_sub(spec):
    spec = json.loads(spec)
    ns = not spec.get("no_namespace")
    certs = "/etc/ssl/certs" if ns else spec["certs"]
    if ns:
        r = subprocess.run(["mount", "--bind", spec["certs"], "/etc/ssl/certs"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            sys.stderr.write("mount --bind failed: %s\n" % r.stdout.decode(errors="replace"))
            return 1
    ctl = Control(spec["url"], spec["ca"])
    runner = Runner(ctl, spec["fake_pid"], spec["workdir"], spec["measure"])
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": spec["home"], "LANG": "C.UTF-8",
            "PWD": spec["workdir"], "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": spec["url"],
            "AWS_EC2_METADATA_DISABLED": "true"}
    bundle = os.path.join(certs, "ca-certificates.crt")
    with_ca = dict(base, AWS_CA_BUNDLE=spec["ca"])
    sysbundle = dict(base, AWS_CA_BUNDLE=bundle)
    variants = [
        ("envssm-set", "envssm, AWS_CA_BUNDLE = the fake's CA (1 certificate)",
         spec["envssm"], with_ca)]
    if ns:
        variants.append(("envssm-unset", "envssm, AWS_CA_BUNDLE unset (system trust)",
                         spec["envssm"], dict(base)))
    variants += [
        ("envssm-bundle", "envssm, AWS_CA_BUNDLE = the system bundle file",
         spec["envssm"], sysbundle),
        ("floor-set", "floor, AWS_CA_BUNDLE = the fake's CA", spec["floor"], with_ca)]
    if ns:
        variants.append(("floor-unset", "floor, unset: libcurl's default (bundle file + "
                         "CAPATH)", spec["floor"], dict(base)))
    else:
        variants.append(("floor-unset", "floor, AWS_CA_BUNDLE = the system bundle file",
                         spec["floor"], sysbundle))
    if spec.get("hashed"):
        variants.append(("floor-capath", "floor, CURLOPT_CAPATH = the hashed directory, no "
                         "bundle file", spec["floor"], dict(base, FLOOR_CAPATH=certs)))
    argv = lambda prog: [prog, "/bench/n10", "--", "/bin/true"]  # noqa: E731
    # every variant must work before it is timed
    check = {}
    for key, _label, prog, env in variants:
        r = runner.run(argv(prog), env)
        check[key] = r["exit"]
        if r["exit"] != 0:
            sys.stderr.write("CA mode %s failed: %s\n" % (key, r.get("stderr", "")))
    rows = {k: [] for k, *_ in variants if check[k] == 0}
    live = [v for v in variants if check[v[0]] == 0]
    for rnd in range(spec["reps"]):
        order = live[rnd % len(live):] + live[:rnd % len(live)]
        for key, _label, prog, env in order:
            rows[key].append(runner.run(argv(prog), env))
    ctl.close()
    json.dump({"rows": rows, "labels": {k: l for k, l, *_ in variants}, "check": check},
              sys.stdout)
    return 0


# --------------------------------------------------------------------------
# The report


def machine_info(a):
    info = {}
    info["nproc"] = os.cpu_count()
    try:
        info["nproc"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["cpu"] = model
    info["kernel"] = platform.release()
    info["mem"] = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            info["mem"] = "%.0f GiB" % (kb / 1048576)
    except (OSError, ValueError, IndexError):
        pass

    def cmd(*argv):
        try:
            return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=60).stdout.decode(errors="replace").strip()
        except (OSError, subprocess.TimeoutExpired):
            return "unavailable"

    cv = cmd("curl-config", "--version")
    info["libcurl"] = cv.replace("libcurl ", "") if cv != "unavailable" else "unavailable"
    cl = cmd("curl", "--version").splitlines()
    info["curl_line"] = cl[0] if cl else ""
    info["openssl"] = cmd("openssl", "version")
    info["python"] = platform.python_version()
    info["aws"] = cmd(a.aws, "--version").splitlines()[0] if a.aws else "not found"
    try:
        import boto3  # noqa: F401
        import botocore
        info["boto3"] = "%s (botocore %s)" % (boto3.__version__, botocore.__version__)
    except ImportError:
        info["boto3"] = "not installed"
    info["envssm_size"] = os.path.getsize(a.envssm)
    info["floor_size"] = os.path.getsize(a.floor)
    info["envssm_libs"] = len([l for l in cmd("ldd", a.envssm).splitlines() if "=>" in l])
    info["floor_libs"] = len([l for l in cmd("ldd", a.floor).splitlines() if "=>" in l])
    info["elf"] = {}
    for key, prog in (("envssm", a.envssm), ("floor", a.floor),
                      ("envssm-static", a.envssm_static), ("floor-static", a.floor_static),
                      ("ladder-init-static", os.path.join(HERE, "ladder-init-static"))):
        if prog and os.access(prog, os.X_OK):
            info["elf"][key] = elf_info(prog)
    info["git"] = cmd("git", "-C", ROOT, "rev-parse", "--short", "HEAD")
    dirty = cmd("git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "src")
    info["dirty"] = bool(dirty.strip()) and dirty != "unavailable"
    return info


def case_table(b, case, order, labels=None, base="envssm"):
    res = b.results.get(case)
    if not res:
        return ["(not run)", ""]
    rows = res["rows"]
    labels = labels or {}
    ref = rows.get(base) or []
    ref_w = med([r["wall_ms"] for r in ref]) if ref else float("nan")
    ref_c = med([r["cpu_ms"] for r in ref]) if ref else float("nan")
    ref_r = med([r["rss_kb"] for r in ref]) if ref else float("nan")
    out = ["| tool | runs | wall ms min / med / max | CPU ms min / med / max | "
           "peak RSS MiB min / med / max | requests / run min / med / max | "
           "connections / run min / med / max | "
           "fake's CPU ms / run (med) | wall ÷ envssm | CPU ÷ envssm | RSS ÷ envssm |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for k in order:
        rs = rows.get(k)
        if not rs:
            continue
        ok = [r for r in rs if r["exit"] == 0]
        fails = len(rs) - len(ok)
        w = mmm([r["wall_ms"] for r in ok])
        c = mmm([r["cpu_ms"] for r in ok])
        m = mmm([r["rss_kb"] / 1024.0 for r in ok])
        label = labels.get(k) or b.tools[k.split("@")[0]].label
        if "@" in k:
            label += " (%s only)" % ", ".join(res["paths"][k])
        elif k in res["paths"] and len(res["paths"][k]) > 1:
            label += " (both PATHs)"
        runs = "%d%s" % (len(rs), " (%d failed)" % fails if fails else "")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, runs, fmt3(w), fmt3(c), fmt3(m, 2),
            fmt3(mmm([r["requests"] for r in ok]), 0) if ok else "n/a",
            fmt3(mmm([r["connections"] for r in ok]), 0) if ok else "n/a",
            fmt(med([r["server_cpu_ms"] for r in ok])),
            ratio(w[1], ref_w), ratio(c[1], ref_c), ratio(m[1] * 1024, ref_r)))
    return out


def write_report(b, path):
    a = b.a
    info = machine_info(a)
    R = b.results
    L = []
    w = L.append
    w("# envssm benchmark results")
    w("")
    w("Generated by `make bench` (`bench/bench.py`) on %s UTC in %.0f s. Numbers are from this "
      "machine and this run only; rerun to reproduce." % (
          datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"), b.elapsed))
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w("| CPUs (nproc) | %s |" % info["nproc"])
    w("| CPU model | %s |" % info["cpu"])
    w("| memory | %s |" % info["mem"])
    w("| kernel | %s |" % info["kernel"])
    w("| load average (1/5/15 min) at start / end | %s / %s |" % (
        " ".join("%.2f" % x for x in b.load_before), " ".join("%.2f" % x for x in b.load_after)))
    w("| libcurl | %s (`%s`) |" % (info["libcurl"], info["curl_line"]))
    w("| OpenSSL | %s |" % info["openssl"])
    w("| Python (fake, boto3, mapper) | %s |" % info["python"])
    w("| aws CLI | %s |" % info["aws"])
    w("| boto3 | %s |" % info["boto3"])
    w("| envssm | `%s`, %d bytes, %d shared libraries; git %s%s |" % (
        a.envssm, info["envssm_size"], info["envssm_libs"], info["git"],
        " with uncommitted changes in src/" if info["dirty"] else ""))
    w("| floor | `%s`, %d bytes, %d shared libraries |" % (
        a.floor, info["floor_size"], info["floor_libs"]))
    for key, prog in (("envssm-static", a.envssm_static), ("floor-static", a.floor_static)):
        e = info["elf"].get(key)
        if e:
            w("| %s | `%s`, %d bytes, %s |" % (
                key.replace("-", ", "), prog, e["size"],
                "statically linked" if e["static"] else "%d shared libraries" % e["libs"]))
    w("")
    w("## Method")
    w("")
    w("- **Server**: the project's fake SSM (`tests/fakessm.py`) in its own process on "
      "127.0.0.1 over **HTTPS** with its generated CA, SigV4 checking **on** (botocore "
      "recomputes every signature), the parameters of every case seeded with `--generate` "
      "(values `NNNN-<sha256 prefix>`, 10 per page). The latency knob (`latency_ms`, applied "
      "before the answer of every SSM call) is set through `/__fake/config`.")
    w("- **Clients**, all exec'ing `/bin/true` with the same resulting environment and the "
      "same base environment (static keys, `AWS_REGION` and `AWS_DEFAULT_REGION`, "
      "`AWS_ENDPOINT_URL`, `AWS_CA_BUNDLE`=the fake's CA, an empty `HOME`), built from "
      "nothing rather than inherited%s:" % (
          ": the calling shell's %s reach no tool (checked below)" % ", ".join(
              "`%s`" % v for v in TRUST_VARS if v in os.environ)
          if any(v in os.environ for v in TRUST_VARS) else ""))
    w("  - `envssm PATH -- /bin/true`;")
    w("  - **bare libcurl floor** `bench/floor PATH -- /bin/true` (`bench/floor.c`): the same "
      "signed GetParametersByPath page requests as envssm, byte for byte the same body and "
      "signed headers, signed by the project's `src/sigv4.c` (+`buf.c`, `err.c`) compiled in, "
      "one libcurl easy handle (one connection), NextToken found with `strstr`, no JSON "
      "parser, no mapping; linked with `-lcurl -lcrypto` and envssm's own compiler and "
      "hardening flags;")
    if "envssm-static" in b.tools:
        w("  - at N=10, 100 and 1000, also the **static envssm** (`make static`) and the "
          "**static floor** (`bench/floor-static`: `bench/floor.c` built and linked like the "
          "static envssm); see [Static binary](#static-binary);")
    w("  - **boto3**: `bench/boto3_fetch.py`, the GetParametersByPath paginator "
      "(`PageSize` 10), names mapped like envssm (`bench/ssmmap.py`), `os.execvpe`;")
    w("  - **aws CLI**: `/bin/sh -c 'aws ssm get-parameters-by-path --path P --recursive "
      "--with-decryption --output json | python3 bench/mapper.py P -- /bin/true'` (the CLI's "
      "real entry script, not the pyenv shim; the mapper maps and `os.execvpe`s).")
    w("  - Go tools (chamber, ssm-parent, aws-env) are **not measured**: they are not "
      "installable on this machine (no Go module proxy or release downloads here). No "
      "numbers are given for them.")
    w("- **Correctness first**: before timing each case, every tool runs once with "
      "`/usr/bin/env -0` as the program; envssm's environment must equal the base plus the "
      "expected mapped parameters, each peer's (the static envssm's too) must equal "
      "envssm's (names and values), and the floors' must equal the base (they map nothing); "
      "none may hold a trust or OpenSSL variable (`%s`) from the calling environment." %
      "`, `".join(TRUST_VARS))
    w("- **Timing**: tools run round-robin, the order rotated every round; a slow peer gets "
      "fewer rounds than envssm and the floor. Each run is `posix_spawn` + `wait4` from the "
      "harness: **wall** = spawn to reap; **CPU** = `ru_utime + ru_stime` of the child "
      "including its reaped descendants (the shell, CLI and mapper of a pipeline); **peak "
      "RSS** = `ru_maxrss` (the largest of the process tree; Linux keeps the high-water mark "
      "across `execve`, so it is envssm's own, not `/bin/true`'s); **requests** = SSM calls "
      "and **connections** = TCP connections accepted, both as deltas of the fake's "
      "`/__fake/stats`, read over one kept-alive control connection so the reads add nothing; "
      "**fake's CPU** = the server process's utime+stime delta (`/proc/PID/stat`, 10 ms ticks: "
      "a coarse per-run figure). min / median / max over the runs; ratios are medians ÷ "
      "envssm's median.")
    w("- The machine has %s CPUs shared by the client, the Python fake and the harness: "
      "client and server compete, as on a small container host." % info["nproc"])
    load = max(max(b.load_before), max(b.load_after))
    if load > 0.75 * (info["nproc"] or 1):
        w("- The machine was not idle: the load average reached %.2f during the run (other "
          "work shares it). Medians and minima are the figures to read; the maxima and the "
          "slow peers' medians, with few runs, carry that noise." % load)
    bl = R.get("baseline")
    if bl:
        w("- **Harness baseline**: `/bin/true` alone through the same helper (`bench/measure`, "
          "which spawns, times and reaps; a tool spawned straight from Python would inherit "
          "the harness's ~30 MB peak RSS through `execve`): wall %s ms, CPU %s ms, peak RSS "
          "%s MiB (min / median / max). Every wall figure below includes this." % (
              fmt3(bl["wall"], 2), fmt3(bl["cpu"], 2), fmt3(bl["rss"], 2)))
    w("")

    # ---- the checks
    w("### Environment check")
    w("")
    w("| case | PATHs | tools | variables added | result |")
    w("|---|---|---|---:|---|")
    for case, paths, tools, nvars, ok, problems in b.checks:
        w("| %s | %s | %s | %d | %s |" % (case, " ".join(paths), ", ".join(tools), nvars,
                                          "identical" if ok else "**DIFFERS**: " +
                                          "; ".join(problems)))
    w("")

    order = ["envssm", "envssm-static", "floor", "floor-static", "boto3", "awscli"]
    for case in ("n10", "n100", "n1000", "n1000-l20"):
        res = R.get(case)
        if not res:
            continue
        w("## %s (%d pages)" % (res["title"], res["pages"]))
        w("")
        fl = med([r["wall_ms"] for r in res["rows"].get("floor", [])])
        if case == "n1000-l20":
            srv = med([r["wall_ms"] for r in R.get("n1000", {}).get("rows", {}).get("floor", [])])
            w("Floor: %d pages × %d ms = %d ms of injected latency; plus the server's own time, "
              "taken as the floor client's median wall at N=1000, L=0 (%s ms): **%s ms**." % (
                  res["pages"], res["latency_ms"], res["pages"] * res["latency_ms"], fmt(srv),
                  fmt(res["pages"] * res["latency_ms"] + srv)))
            so = R.get("sleep_overshoot")
            if so and fl == fl:
                per = (fl - srv - res["pages"] * res["latency_ms"]) / res["pages"]
                w("")
                w("The bare floor client itself takes %s ms here, %.2f ms per page more than "
                  "that model. The fake sleeps with `threading.Event.wait`, which this harness "
                  "measured to wake %s ms late (min / median / max of 50 waits of 20 ms); the "
                  "rest is both sides waking from idle for every page (a 20 ms gap lets the "
                  "vCPUs sleep and the caches go cold), which the L=0 run never pays. So the "
                  "server's time per page at L=20 is larger than at L=0; envssm against the "
                  "floor client measured in the same run is the fairer comparison." % (
                      fmt(fl), per, fmt3(so, 3)))
        else:
            w("Floor: the bare libcurl client's median wall, %s ms (L=0: no injected latency)."
              % fmt(fl))
        w("")
        L.extend(case_table(b, case, order))
        w("")

    # ---- two paths
    res = R.get("two")
    if res:
        w("## %s" % res["title"])
        w("")
        rows = res["rows"]
        wa = med([r["wall_ms"] for r in rows.get("envssm@a", [])])
        wb = med([r["wall_ms"] for r in rows.get("envssm@b", [])])
        wab = med([r["wall_ms"] for r in rows.get("envssm", [])])
        w("envssm fetches the PATHs in two threads over one shared connection pool; the floor "
          "and boto3 fetch them one after the other. Slower single PATH (envssm): %s ms; sum "
          "of both: %s ms; both PATHs together: **%s ms** (%s of the slower one)." % (
              fmt(max(wa, wb)), fmt(wa + wb), fmt(wab), ratio(wab, max(wa, wb))))
        w("")
        L.extend(case_table(b, "two", ["envssm", "envssm@a", "envssm@b", "floor", "boto3"]))
        w("")

    # ---- CA modes
    res = R.get("ca")
    if res:
        w("## envssm's CA modes: `AWS_CA_BUNDLE` set vs unset (N=10, L=0)")
        w("")
        w("With `AWS_CA_BUNDLE` unset, envssm (since 0ee4532) trusts the system's hashed "
          "directory `/etc/ssl/certs` through `CURLOPT_CAPATH` with no bundle file, so OpenSSL "
          "loads only the issuer it needs; libcurl's own default (the floor's \"unset\" row) "
          "is `CURLOPT_CAINFO` = `%s` (%d certificates, %d bytes, parsed whole on every start) "
          "plus `CURLOPT_CAPATH`." % (SYSTEM_BUNDLE, res["n_system"], res["bundle_bytes"]))
        w("")
        if res["method"] == "namespace":
            w("The fake's certificate chains to its own CA, which is in no system trust store, "
              "and the machine's trust store is left alone. Instead these runs happen in a "
              "**private mount namespace** (`unshare --mount`): a copy of `/etc/ssl/certs` "
              "(the %d system certificates, the fake's CA added, hash links made with "
              "`openssl rehash`, and the fake's CA appended to `ca-certificates.crt`) is "
              "bind-mounted over `/etc/ssl/certs` for those processes only. Every mode runs "
              "interleaved in that namespace against the same fake." % (res["hashed_files"] - 1))
        else:
            w("A private mount namespace was not available here, so envssm's unset mode "
              "could not be run (it would need the fake's CA in `/etc/ssl/certs`); the "
              "bundle-file and hashed-directory costs are measured with explicit paths to a "
              "copy of the system certificates with the fake's CA added.")
        w("")
        keys = ["envssm-set", "envssm-unset", "envssm-bundle", "floor-set", "floor-unset",
                "floor-capath"]
        fake_b = type("B", (), {})()
        fake_b.results = {"ca": {"rows": res["rows"], "paths": {k: ["/bench/n10"] for k in keys}}}
        fake_b.tools = b.tools
        L.extend(case_table(fake_b, "ca", keys, labels=res["labels"], base="envssm-set"))
        w("")
        w("(Ratios here are against envssm with `AWS_CA_BUNDLE` = the fake's one CA.)")
        w("")

    # ---- herd
    res = R.get("herd")
    if res:
        n, rate, burst, pages = res["n"], res["rate"], res["burst"], res["pages"]
        useful = n * pages
        w("## Herd: %d envssm at once, %d parameters each (%d pages), fake at "
          "`--rate-limit %d --burst %d`" % (n, res["nparams"], pages, rate, burst))
        w("")
        w("Floor: %d × %d pages ÷ %d/s = **%.1f s** (strictly, with a full bucket of %d "
          "at the start: (%d − %d) ÷ %d = %.1f s). Useful requests: %d." % (
              n, pages, rate, useful / rate, burst, useful, burst, rate,
              (useful - burst) / rate, useful))
        w("")
        w("| run | total wall s | ÷ floor | requests | requests per useful request | throttled "
          "| connections | failures | CPU s (all 100) | peak RSS MiB (largest) | fake's CPU s |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for i, r in enumerate(res["runs"], 1):
            w("| %d | %.2f | %.2f× | %d | %.2f | %d | %d | %d | %.2f | %.2f | %.1f |" % (
                i, r["wall_s"], r["wall_s"] / (useful / rate), r["requests"],
                r["requests"] / useful, r["throttled"], r["connections"], r["failures"],
                r["cpu_ms"] / 1000, r["rss_kb"] / 1024, r["server_cpu_ms"] / 1000))
        errs = sorted({e for r in res["runs"] for e in r["errors"]})
        others = {}
        for r in res["runs"]:
            for k, v in r["other"].items():
                others[k] = others.get(k, 0) + v
        w("")
        if others:
            w("Other outcomes at the fake: %s." % ", ".join("%s %d" % kv for kv in
                                                            sorted(others.items())))
        if errs:
            w("envssm errors seen: %s" % "; ".join("`%s`" % e for e in errs))
        w("Launching the %d processes took %s s of the total." % (
            n, "/".join("%.2f" % r["spawn_s"] for r in res["runs"])))
        w("")

    # ---- profile
    prof = R.get("profile", {})
    if prof:
        w("## Where envssm's start goes (N=10 unless stated)")
        w("")
        se, sf = prof.get("strace-envssm"), prof.get("strace-floor")
        if se and sf and se.get("total"):
            w("System calls (`strace -f -c`, one run each, the exec of /bin/true included): "
              "envssm **%d** (%d failed), floor **%d** (%d failed)." % (
                  se["total"], se.get("errors", 0), sf["total"], sf.get("errors", 0)))
            w("")
            names = []
            for nm, _ in se["top"] + sf["top"]:
                if nm not in names:
                    names.append(nm)
            de, df = dict(se["top"]), dict(sf["top"])
            w("| syscall | envssm | floor |")
            w("|---|---:|---:|")
            for nm in names[:12]:
                w("| %s | %s | %s |" % (nm, de.get(nm, "·"), df.get(nm, "·")))
            w("")
        fe, ff = prof.get("files-envssm"), prof.get("files-floor")
        if fe and ff:
            w("Files opened: envssm %d shared libraries + %s; floor %d shared libraries + %s." % (
                fe["libs"], ", ".join("`%s`" % f for f in fe["other"]) or "nothing else",
                ff["libs"], ", ".join("`%s`" % f for f in ff["other"]) or "nothing else"))
            w("")
        lad = prof.get("ladder")
        if lad:
            w("Start-up ladder: what a process costs before it fetches anything (%d runs each, "
              "through the same helper):" % 20)
            w("")
            w("| program | shared libraries | wall ms min / med / max | CPU ms min / med / max "
              "| peak RSS MiB min / med / max |")
            w("|---|---:|---:|---:|---:|")
            for r in lad:
                w("| %s | %s | %s | %s | %s |" % (r["label"], "—" if r["libs"] is None else
                                                   r["libs"], fmt3(r["wall"], 2),
                                                   fmt3(r["cpu"], 2), fmt3(r["rss"], 2)))
            w("")
        cg = {k[len("callgrind-"):]: v for k, v in prof.items() if k.startswith("callgrind-")}
        cols = ["envssm-n10", "floor-n10", "envssm-n1000", "floor-n1000"]
        if cg and all(cg.get(c, {}).get("total") for c in cols):
            w("Instructions executed (`valgrind --tool=callgrind --dump-before=execve`: the "
              "whole process up to the exec of /bin/true; deterministic, unlike CPU time), "
              "inclusive of callees:")
            w("")
            w("| | envssm N=10 | floor N=10 | envssm N=1000 | floor N=1000 |")
            w("|---|---:|---:|---:|---:|")
            w("| **total** | %s |" % " | ".join("**{:,}**".format(cg[c]["total"]) for c in cols))
            for label, fns in PROFILE_GROUPS:
                vals = []
                for c in cols:
                    v = sum(cg[c]["fn"].get(fn, 0) for fn in fns)
                    vals.append("{:,} ({:.0f}%)".format(v, 100.0 * v / cg[c]["total"])
                                if v else "·")
                if any(v != "·" for v in vals):
                    w("| %s | %s |" % (label, " | ".join(vals)))
            e10, f10 = cg["envssm-n10"]["total"], cg["floor-n10"]["total"]
            e1k, f1k = cg["envssm-n1000"]["total"], cg["floor-n1000"]["total"]
            w("| envssm − floor | %s (%.2f×) | | %s (%.2f×) | |" % (
                "{:,}".format(e10 - f10), e10 / f10, "{:,}".format(e1k - f1k), e1k / f1k))
            w("")
            w("(libcurl, libssl and libcrypto have no debug symbols here, so only their "
              "exported entry points can be named.)")
            w("")

    # ---- the static binary
    L.extend(static_section(b, info))

    # ---- notes
    notes = observations(b)
    if notes:
        w("## Notes")
        w("")
        L.extend(notes)
        w("")

    # ---- targets
    w("## Targets")
    w("")
    L.extend(targets(b))
    w("")
    kept = kept_watch_section(path)
    with open(path, "w") as f:
        f.write("\n".join(L).rstrip() + "\n" + kept)


def kept_watch_section(path):
    """The section `make bench-watch` wrote into path, kept as it was."""
    begin, end = "<!-- make bench-watch: begin -->", "<!-- make bench-watch: end -->"
    try:
        with open(path) as f:
            old = f.read()
    except OSError:
        return ""
    if begin not in old or end not in old:
        return ""
    return "\n" + begin + old.split(begin, 1)[1].split(end, 1)[0] + end + "\n"


def elf_info(path):
    """Size on disk, size once stripped (`strip --strip-all` of a copy), whether the
    ELF file is static (no PT_INTERP program header: no dynamic loader at all) and
    how many shared libraries ldd lists."""
    import struct
    out = {"size": os.path.getsize(path), "stripped": float("nan"), "static": False,
           "libs": 0}
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] == b"\x7fELF" and head[4] == 2:  # ELF64
                end = "<" if head[5] == 1 else ">"
                phoff, = struct.unpack(end + "Q", head[32:40])
                phentsize, phnum = struct.unpack(end + "HH", head[54:58])
                f.seek(phoff)
                types = [struct.unpack(end + "I", f.read(phentsize)[:4])[0]
                         for _ in range(phnum)]
                out["static"] = 3 not in types  # PT_INTERP
    except (OSError, struct.error):
        pass
    with tempfile.TemporaryDirectory(prefix="envssm-bench-strip-") as d:
        copy = os.path.join(d, "stripped")
        p = subprocess.run(["strip", "--strip-all", "-o", copy, path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if p.returncode == 0:
            out["stripped"] = os.path.getsize(copy)
    if not out["static"]:
        q = subprocess.run(["ldd", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out["libs"] = len([l for l in q.stdout.decode().splitlines() if "=>" in l])
    return out


MIB = 1048576.0

# The targets set for the static binary: (what, target)
STATIC_TARGETS = {
    "vs-dynamic-floor": 0.6,   # static envssm wall ÷ dynamic floor wall, N=10
    "vs-static-floor": 1.1,    # static envssm wall ÷ static floor wall, N=10
    "rss_mib": 6.0,            # static envssm peak RSS
    "size_mib": 6.0,           # stripped static envssm
}


# Functions only the static (unstripped) profile can name: internal to
# libcrypto, so unnamed in the distribution's stripped shared library.
STATIC_PROFILE_GROUPS = [
    ("OpenSSL algorithm fetches, all callers (`evp_generic_fetch`)", ["evp_generic_fetch"]),
    ("OpenSSL random generator set-up (`RAND_get0_primary`)", ["RAND_get0_primary"]),
]


def static_section(b, info):
    """The static envssm beside the dynamic one and the two floors: sizes, times,
    memory, the targets set for it, and where its time and memory go."""
    R, a = b.results, b.a
    if "envssm-static" not in b.tools or not R.get("n10"):
        return []
    out = []
    w = out.append
    elf = info["elf"]
    prof = R.get("profile", {})

    def rows(case, k):
        return [r for r in R.get(case, {}).get("rows", {}).get(k, []) if r["exit"] == 0]

    def m(case, k, field):
        return med([r[field] for r in rows(case, k)])

    def mark(ok):
        return "**pass**" if ok else "**FAIL**"

    def num(x):
        return "{:,}".format(x)

    keys = [k for k in ("envssm-static", "envssm", "floor-static", "floor") if k in b.tools]
    names = {"envssm-static": "envssm, static", "envssm": "envssm, dynamic",
             "floor-static": "floor, static", "floor": "floor, dynamic"}
    paths = {"envssm-static": a.envssm_static, "envssm": a.envssm,
             "floor-static": a.floor_static, "floor": a.floor}
    w("## Static binary")
    w("")
    w("`make static` builds `%s`: one file with no dynamic loader and no shared library: "
      "libcurl from Debian's source package configured for HTTP and HTTPS only "
      "(`release/deps.sh`), cJSON, OpenSSL's static `libssl.a` and `libcrypto.a` from "
      "libssl-dev and static glibc, linked `-static -Wl,--gc-sections -s`. Its floor, "
      "`bench/floor-static`, is `bench/floor.c` compiled and linked the same way "
      "(`make -C bench static`: the same libraries from `build/deps` and `/usr/lib/TRIPLET`, "
      "the same optimisation, hardening, sections and stripping), so the static envssm "
      "against the static floor differs in code only, as envssm against the dynamic floor "
      "does. The four ran interleaved, round-robin, in the N=10, 100 and 1000 cases above "
      "(same fake, same base environment with `AWS_CA_BUNDLE` = the fake's CA) after the "
      "same check: the static envssm's environment equals the dynamic envssm's (names and "
      "values), the static floor's equals the base." % os.path.relpath(a.envssm_static, ROOT))
    w("")
    w("| binary | bytes on disk | stripped bytes | stripped MiB | shared libraries |")
    w("|---|---:|---:|---:|---:|")
    for k in keys:
        e = elf.get(k)
        if e:
            w("| %s (`%s`) | %d | %s | %s | %s |" % (
                names[k], os.path.relpath(paths[k], ROOT), e["size"],
                "%d" % e["stripped"] if e["stripped"] == e["stripped"] else "n/a",
                fmt(e["stripped"] / MIB, 2), "none (static)" if e["static"] else e["libs"]))
    w("")
    w("Medians over the runs of the cases above (the minimum wall in brackets); the ratios "
      "are median walls ÷ the dynamic and the static floor's median wall in the same case:")
    w("")
    w("| N | tool | runs | wall ms: med (min) | CPU ms | wall − CPU ms | peak RSS MiB | "
      "minor faults | wall ÷ dynamic floor | wall ÷ static floor |")
    w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case in ("n10", "n100", "n1000"):
        if not R.get(case):
            continue
        fd, fs = m(case, "floor", "wall_ms"), m(case, "floor-static", "wall_ms")
        for k in keys:
            rs = rows(case, k)
            if not rs:
                continue
            wl = mmm([r["wall_ms"] for r in rs])
            c = m(case, k, "cpu_ms")
            w("| %d | %s | %d | %s (%s) | %s | %s | %s | %s | %s | %s |" % (
                R[case]["n"], names[k], len(rs), fmt(wl[1]), fmt(wl[0]), fmt(c),
                fmt(wl[1] - c), fmt(m(case, k, "rss_kb") / 1024.0, 2),
                fmt(m(case, k, "minflt"), 0), ratio(wl[1], fd), ratio(wl[1], fs)))
    w("")
    w("(Minor faults are counted up to the reap, so /bin/true's few dozen are in every row.)")
    w("")

    # ---- the targets
    se, sd = m("n10", "envssm-static", "wall_ms"), m("n10", "floor", "wall_ms")
    ss = m("n10", "floor-static", "wall_ms")
    mins = {k: mmm([r["wall_ms"] for r in rows("n10", k)])[0] for k in keys}
    rss = {case: m(case, "envssm-static", "rss_kb") / 1024.0 for case in ("n10", "n100", "n1000")
           if rows(case, "envssm-static")}
    rss_max = max((r["rss_kb"] / 1024.0 for case in rss for r in rows(case, "envssm-static")),
                  default=float("nan"))
    size_b = elf.get("envssm-static", {}).get("stripped", float("nan"))
    t = STATIC_TARGETS
    ok = {
        "vs-dynamic-floor": se / sd <= t["vs-dynamic-floor"],
        "vs-static-floor": se / ss <= t["vs-static-floor"],
        "rss_mib": max(rss.values()) <= t["rss_mib"],
        "size_mib": size_b / MIB <= t["size_mib"],
    }
    w("### Targets for the static binary")
    w("")
    w("| measure | value | target | result |")
    w("|---|---:|---:|---|")
    w("| static envssm wall ÷ dynamic floor wall, N=10 (medians %s ÷ %s ms; minima %s ÷ %s "
      "ms = %.2f) | %.2f | ≤ %.1f | %s |" % (
          fmt(se), fmt(sd), fmt(mins["envssm-static"]), fmt(mins["floor"]),
          mins["envssm-static"] / mins["floor"], se / sd, t["vs-dynamic-floor"],
          mark(ok["vs-dynamic-floor"])))
    w("| static envssm wall ÷ static floor wall, N=10 (medians %s ÷ %s ms; minima %s ÷ %s "
      "ms = %.2f) | %.2f | ≤ %.1f | %s |" % (
          fmt(se), fmt(ss), fmt(mins["envssm-static"]), fmt(mins["floor-static"]),
          mins["envssm-static"] / mins["floor-static"], se / ss, t["vs-static-floor"],
          mark(ok["vs-static-floor"])))
    w("| static envssm peak RSS, the largest median (%s; largest single run %s MiB) | %s MiB "
      "| ≤ %.0f MiB | %s |" % (
          ", ".join("N=%d %s" % (R[c]["n"], fmt(v, 2)) for c, v in rss.items()),
          fmt(rss_max, 2), fmt(max(rss.values()), 2), t["rss_mib"], mark(ok["rss_mib"])))
    w("| stripped static envssm (%s bytes) | %s MiB | ≤ %.0f MiB | %s |" % (
        num(int(size_b)) if size_b == size_b else "n/a", fmt(size_b / MIB, 2), t["size_mib"],
        mark(ok["size_mib"])))
    w("")

    # ---- where the time and memory go
    w("### Where the static envssm's time and memory go")
    w("")
    notes = []
    w10 = {k: (m("n10", k, "wall_ms"), m("n10", k, "cpu_ms")) for k in keys}
    wait = {k: v[0] - v[1] for k, v in w10.items()}
    if all(x == x for v in w10.values() for x in v):
        notes.append(
            "**Time the client does not spend on the CPU.** At N=10, wall − CPU is %s ms "
            "(%s): spawning and reaping, waiting for the Python fake (its side of the TLS "
            "handshake, its SigV4 check and its answer, on the other core) and, on a busy "
            "machine, waiting for a CPU. Every client pays that alike, and it does not shrink "
            "when the client does: a client costing no CPU "
            "at all would measure about %.2f× the dynamic floor's wall here. Against the "
            "dynamic floor the static envssm saves %s ms of CPU (%s vs %s ms), %.0f%% of its "
            "CPU, which shows as %.2f× in wall time." % (
                fmt(wait["envssm-static"]), ", ".join("%s %s" % (names[k], fmt(wait[k]))
                                                      for k in keys[1:]),
                wait["envssm-static"] / w10["floor"][0],
                fmt(w10["floor"][1] - w10["envssm-static"][1]), fmt(w10["envssm-static"][1]),
                fmt(w10["floor"][1]), 100.0 * (1 - w10["envssm-static"][1] / w10["floor"][1]),
                se / sd))
    lad = {r["name"]: r for r in prof.get("ladder") or []}
    if all(n in lad for n in ("ladder-empty", "ladder-init", "ladder-empty-static",
                              "ladder-init-static")):
        de, di = lad["ladder-empty"], lad["ladder-init"]
        sem, si = lad["ladder-empty-static"], lad["ladder-init-static"]
        txt = ("**Start-up** (the ladder above, medians): initialising libcurl and OpenSSL "
               "(`curl_global_init` + `curl_easy_init`, OpenSSL's config file read) costs the "
               "static program %s ms of CPU, %s MiB of peak RSS and %s minor faults over an "
               "empty static program, against %s ms, %s MiB and %s faults over an empty "
               "dynamic one for the dynamic libcurl and its %s shared libraries." % (
                   fmt(si["cpu"][1] - sem["cpu"][1], 2), fmt(si["rss"][1] - sem["rss"][1], 2),
                   fmt(si["minflt"][1] - sem["minflt"][1], 0),
                   fmt(di["cpu"][1] - de["cpu"][1], 2), fmt(di["rss"][1] - de["rss"][1], 2),
                   fmt(di["minflt"][1] - de["minflt"][1], 0),
                   lad.get("ladder-linked", {}).get("libs") or "many"))
        ie = {n: prof.get("instr-" + n) for n in lad}
        if all(ie.get(n) for n in ("ladder-empty", "ladder-init", "ladder-empty-static",
                                   "ladder-init-static")):
            txt += (" In instructions (callgrind, the whole process): %s static against %s "
                    "dynamic (the empty programs: %s and %s)." % (
                        num(ie["ladder-init-static"]), num(ie["ladder-init"]),
                        num(ie["ladder-empty-static"]), num(ie["ladder-empty"])))
        notes.append(txt)
    cg = {k[len("callgrind-"):]: v for k, v in prof.items() if k.startswith("callgrind-")}
    tot = {k: (cg.get(k) or {}).get("total") for k in cg}
    have = all(tot.get("%s-%s" % (k, n)) for k in keys for n in ("n10", "n1000"))
    if have:
        parts = []
        for n in ("n10", "n1000"):
            es, fs_, ed, fd_ = (tot["%s-%s" % (k, n)] for k in ("envssm-static", "floor-static",
                                                                "envssm", "floor"))
            parts.append("at N=%s the static envssm executes %s, the static floor %s (%.2f×), "
                         "the dynamic envssm %s and the dynamic floor %s (the static envssm "
                         "= %.2f× the dynamic floor)" % (
                             n[1:], num(es), num(fs_), es / fs_, num(ed), num(fd_), es / fd_))
        txt = ("**Instructions** up to the exec of /bin/true (callgrind, deterministic, so "
               "free of this machine's load): " + "; ".join(parts) + ".")
        dl = cg["floor-n10"]["fn"].get("_dl_start")
        if dl:
            txt += (" Of the dynamic floor's %s at N=10, the dynamic loader (`_dl_start`: "
                    "loading and relocating %s shared libraries) is %s (%.0f%%), which no "
                    "static program runs." % (
                        num(tot["floor-n10"]), elf.get("floor", {}).get("libs", "its"),
                        num(dl), 100.0 * dl / tot["floor-n10"]))
        notes.append(txt)
    st = {k: prof.get("strace-" + k) or {} for k in keys}
    if all(st[k].get("total") for k in keys):
        fo = prof.get("files-envssm-static") or {}
        other = [f for f in fo.get("other", []) if not f.startswith(("/etc/ld.so", "/lib", "/usr/lib/x86_64", "/usr/lib/aarch64"))]
        notes.append("**System calls** (one N=10 run each, `strace -f -c`, the exec of "
                     "/bin/true included): %s. Files the static envssm opens: %s (OpenSSL's "
                     "configuration is read by every libcurl client at `curl_global_init`; "
                     "the static OpenSSL looks for it where Debian's libssl-dev put it)." % (
                         ", ".join("%s %d" % (names[k], st[k]["total"]) for k in keys),
                         ", ".join("`%s`" % f for f in other) or "none"))
    si = lad.get("ladder-init-static")
    if si and rss:
        notes.append("**Memory**: the static envssm's peak RSS is %s MiB at N=10 and %s MiB at "
                     "N=1000; an empty static program peaks at %s MiB, and with libcurl and "
                     "OpenSSL initialised at %s MiB, so the TLS connection, the worker "
                     "thread, the requests and the answers add %s MiB at N=10. The dynamic "
                     "envssm's %s MiB is mostly its %s shared libraries mapped and relocated "
                     "(%s minor faults against the static one's %s)." % (
                         fmt(rss.get("n10", float("nan")), 2),
                         fmt(rss.get("n1000", float("nan")), 2),
                         fmt(lad["ladder-empty-static"]["rss"][1], 2), fmt(si["rss"][1], 2),
                         fmt(rss.get("n10", float("nan")) - si["rss"][1], 2),
                         fmt(m("n10", "envssm", "rss_kb") / 1024.0, 2),
                         elf.get("envssm", {}).get("libs", "its"),
                         fmt(m("n10", "envssm", "minflt"), 0),
                         fmt(m("n10", "envssm-static", "minflt"), 0)))
    sizes = link_map_sizes(os.path.join(HERE, "envssm-static-syms.map")) \
        if "envssm-static" in prof.get("twins", []) else {}
    if sizes:
        total = sum(sizes.values())
        top = sorted(sizes.items(), key=lambda kv: -kv[1])
        own = sum(v for k, v in sizes.items() if k in ("libenvssm.a", "main.o"))
        notes.append("**Size** (the link map of the unstripped twin; allocated sections only): "
                     "%s; envssm's own code and data %s bytes (%.1f%%). Debian builds "
                     "`libcrypto.a` without `-ffunction-sections`, so `--gc-sections` can "
                     "drop only whole objects, and OpenSSL's default provider refers to every "
                     "algorithm it implements." % (
                         ", ".join("`%s` %s (%.0f%%)" % (k, num(v), 100.0 * v / total)
                                   for k, v in top[:5]), num(own), 100.0 * own / total))
    for n in notes:
        w("- " + n)
    w("")

    # the named profile of the static pair
    twins = prof.get("twins", [])
    cols = ["envssm-static-n10", "floor-static-n10", "envssm-static-n1000", "floor-static-n1000"]
    if len(twins) == 2 and all(tot.get(c) for c in cols):
        w("Instructions of the static pair by function, inclusive of callees (callgrind on the "
          "unstripped twins `bench/envssm-static-syms` and `bench/floor-static-syms`, whose "
          ".text and .rodata are the stripped binaries' byte for byte; every function has a "
          "name here, libcurl's and OpenSSL's internals included):")
        w("")
        w("| | static envssm N=10 | static floor N=10 | static envssm N=1000 | "
          "static floor N=1000 |")
        w("|---|---:|---:|---:|---:|")
        w("| **total** | %s |" % " | ".join("**%s**" % num(tot[c]) for c in cols))
        for label, fns in PROFILE_GROUPS + STATIC_PROFILE_GROUPS:
            vals = []
            for c in cols:
                v = sum(cg[c]["fn"].get(fn, 0) for fn in fns)
                vals.append("%s (%.0f%%)" % (num(v), 100.0 * v / tot[c]) if v else "·")
            if any(v != "·" for v in vals):
                w("| %s | %s |" % (label, " | ".join(vals)))
        w("")

    # what a missed target comes down to
    why = []
    if not ok["vs-dynamic-floor"] and all(x == x for v in w10.values() for x in v):
        why.append("**Static envssm ÷ dynamic floor above %.1f**: the static envssm's CPU at "
                   "N=10 is %s ms against the dynamic floor's %s ms (%.2f×), but its wall − CPU, "
                   "%s ms, does not shrink with the client's own CPU; %.2f× would need the "
                   "whole run to take at most %s ms, i.e. at most %s ms of CPU if the time off "
                   "the CPU stays as it is." % (
                       t["vs-dynamic-floor"], fmt(w10["envssm-static"][1]), fmt(w10["floor"][1]),
                       w10["envssm-static"][1] / w10["floor"][1], fmt(wait["envssm-static"]),
                       t["vs-dynamic-floor"], fmt(t["vs-dynamic-floor"] * sd),
                       fmt(t["vs-dynamic-floor"] * sd - wait["envssm-static"])))
    if not ok["vs-static-floor"] and len(twins) == 2 and all(tot.get(c) for c in cols):
        diffs = []
        for label, fns in PROFILE_GROUPS + STATIC_PROFILE_GROUPS:
            d = sum(cg["envssm-static-n10"]["fn"].get(fn, 0) for fn in fns) - \
                sum(cg["floor-static-n10"]["fn"].get(fn, 0) for fn in fns)
            diffs.append((d, label))
        diffs.sort(reverse=True)
        why.append("**Static envssm ÷ static floor above %.1f**: in instructions the two differ "
                   "by %s (%.2f×); the largest differences: %s." % (
                       t["vs-static-floor"],
                       num(tot["envssm-static-n10"] - tot["floor-static-n10"]),
                       tot["envssm-static-n10"] / tot["floor-static-n10"],
                       "; ".join("%s %+d" % (lb, d) for d, lb in diffs[:3])))
    if not ok["rss_mib"]:
        why.append("**Peak RSS above %.0f MiB**: see Memory above for the split between "
                   "start-up and the fetch." % t["rss_mib"])
    if not ok["size_mib"]:
        why.append("**Size above %.0f MiB**: see Size above for what each library puts in."
                   % t["size_mib"])
    if why:
        w("Targets missed, and why:")
        w("")
        for x in why:
            w("- " + x)
        w("")
    return out


def observations(b):
    """Data-driven remarks: what the numbers above imply, each with its figures."""
    R = b.results
    out = []

    def m(case, k, field):
        return med([r[field] for r in R.get(case, {}).get("rows", {}).get(k, [])
                    if r["exit"] == 0])

    prof = R.get("profile", {})
    lad = prof.get("ladder") or []
    e10 = m("n10", "envssm", "wall_ms")
    names = [r.get("name") for r in lad]
    if all(n in names for n in ("ladder-empty", "ladder-linked", "ladder-init")) and e10 == e10:
        empty = lad[names.index("ladder-empty")]
        linked = lad[names.index("ladder-linked")]
        init = lad[names.index("ladder-init")]
        ossl = lad[names.index("ladder-ossl")] if "ladder-ossl" in names else None
        d = linked["cpu"][1] - empty["cpu"][1]
        out.append("- Merely loading libcurl's dependency tree (%d shared libraries: LDAP, "
                   "Kerberos, RTMP, SSH, GnuTLS, IDN, PSL, brotli, zstd, nghttp2… none of which "
                   "envssm uses) costs %s ms of CPU and %s MiB of RSS before `main`; with "
                   "`curl_global_init` it is %s ms and %s MiB. That is %.0f%% of envssm's median "
                   "wall at N=10 (%s ms) and most of its peak RSS: nearly half of the floor "
                   "this benchmark compares against is start-up, not fetching." % (
                       linked["libs"] or 0, fmt(d, 2), fmt(linked["rss"][1] - empty["rss"][1], 1),
                       fmt(init["cpu"][1] - empty["cpu"][1], 2),
                       fmt(init["rss"][1] - empty["rss"][1], 1),
                       100.0 * (init["cpu"][1] - empty["cpu"][1]) / e10, fmt(e10)))
        if ossl is not None:
            out.append("- A process that links only OpenSSL and initialises it as "
                       "`curl_global_init` does (about where a libcurl built for HTTPS alone, "
                       "or linked statically, would start) costs %s ms of CPU and %s MiB over "
                       "the empty program: %s ms and %s MiB less than the libcurl rung, on every "
                       "container start." % (
                           fmt(ossl["cpu"][1] - empty["cpu"][1], 2),
                           fmt(ossl["rss"][1] - empty["rss"][1], 1),
                           fmt(init["cpu"][1] - ossl["cpu"][1], 2),
                           fmt(init["rss"][1] - ossl["rss"][1], 1)))
    cg = {k[len("callgrind-"):]: v for k, v in prof.items() if k.startswith("callgrind-")}
    ce, cf = cg.get("envssm-n1000", {}), cg.get("floor-n1000", {})
    if ce.get("total") and cf.get("total"):
        parse = ce["fn"].get("ssm_parse_page", 0)
        extra = ce["total"] - cf["total"]
        sign = ce["fn"].get("sigv4_sign", 0)
        out.append("- At N=1000 envssm executes %s more instructions than the floor; response "
                   "parsing (`ssm_parse_page`, a cJSON tree per page, freed node by node "
                   "through the wiping `mem_free_secure` hook) is %s of them (%.0f%%) and name "
                   "mapping %s. SigV4 signing costs both clients the same %s instructions for "
                   "100 requests (%s per signature: five one-shot `HMAC()` and two `SHA256()` "
                   "calls, each fetching its algorithm from the OpenSSL 3 provider again)." % (
                       "{:,}".format(extra), "{:,}".format(parse),
                       100.0 * parse / extra if extra else 0,
                       "{:,}".format(ce["fn"].get("vars_add_path", 0)), "{:,}".format(sign),
                       "{:,}".format(sign // 100)))
    pe = prof.get("strace-envssm") or {}
    tops = dict(pe.get("top", []))
    if tops.get("rt_sigaction"):
        out.append("- envssm makes %d `rt_sigaction` calls per run (the floor none): "
                   "`exec_snapshot` reads all 64 dispositions and `exec_restore` writes them "
                   "all back before `execve`." % tops["rt_sigaction"])
    inherited = os.environ.get("AWS_CA_BUNDLE")
    c = R.get("ca")
    if c:
        cu = med([r["cpu_ms"] for r in c["rows"].get("envssm-bundle", [])])
        cs = med([r["cpu_ms"] for r in c["rows"].get("envssm-set", [])])
        if cu == cu and cs == cs:
            txt = ("- `AWS_CA_BUNDLE` naming the full system bundle costs envssm %s ms of CPU "
                   "per start (%.1f× its whole N=10 start) for the same trust the hashed "
                   "directory gives in %s ms." % (fmt(cu - cs), cu / cs,
                                                  fmt(med([r["cpu_ms"] for r in
                                                           c["rows"].get("envssm-unset", [])]))))
            if inherited and os.path.realpath(inherited) == os.path.realpath(SYSTEM_BUNDLE):
                txt += (" This machine's own login environment sets exactly that "
                        "(`AWS_CA_BUNDLE=%s`), as some base images do; the benchmark runs "
                        "every tool with its own clean environment." % inherited)
            out.append(txt)
    h = R.get("herd")
    if h and h["runs"]:
        useful = h["n"] * h["pages"]
        rq = [r["requests"] / useful for r in h["runs"]]
        walls = [r["wall_s"] for r in h["runs"]]
        out.append("- In the herd, %.0f–%.0f%% of the requests envssm sent were throttled "
                   "(%.2f–%.2f requests per useful one), and the whole fleet still finished in "
                   "%.2f–%.2f s, %.2f–%.2f× the %.1f s rate-limit floor, with %d failures." % (
                       100 * (1 - 1 / min(rq)), 100 * (1 - 1 / max(rq)), min(rq), max(rq),
                       min(walls), max(walls), min(walls) / (useful / h["rate"]),
                       max(walls) / (useful / h["rate"]), useful / h["rate"],
                       sum(r["failures"] for r in h["runs"])))
    return out


def targets(b):
    R = b.results
    out = []

    def rows(case, k):
        return [r for r in R.get(case, {}).get("rows", {}).get(k, []) if r["exit"] == 0]

    def m(case, k, field):
        return med([r[field] for r in rows(case, k)])

    def verdict(ok):
        return "**holds**" if ok else "**does not hold**"

    # 1
    e, f = m("n10", "envssm", "wall_ms"), m("n10", "floor", "wall_ms")
    if e == e and f == f:
        out.append("- **N=10, L=0: envssm within 1.15× of the bare libcurl floor (wall)** — "
                   "%s: envssm %s ms vs floor %s ms median = %.2f× (min %s vs %s ms = %.2f×). "
                   "CPU: %s vs %s ms = %.2f×." % (
                       verdict(e / f <= 1.15), fmt(e), fmt(f), e / f,
                       fmt(mmm([r["wall_ms"] for r in rows("n10", "envssm")])[0]),
                       fmt(mmm([r["wall_ms"] for r in rows("n10", "floor")])[0]),
                       mmm([r["wall_ms"] for r in rows("n10", "envssm")])[0] /
                       mmm([r["wall_ms"] for r in rows("n10", "floor")])[0],
                       fmt(m("n10", "envssm", "cpu_ms")), fmt(m("n10", "floor", "cpu_ms")),
                       m("n10", "envssm", "cpu_ms") / m("n10", "floor", "cpu_ms")))
    # 2
    ec = m("n1000", "envssm", "cpu_ms")
    if ec == ec:
        parts = []
        for k, label in (("floor", "floor"), ("boto3", "boto3"), ("awscli", "aws CLI + mapper")):
            c = m("n1000", k, "cpu_ms")
            if c == c:
                parts.append("%s %s ms (%.2f× envssm's)" % (label, fmt(c), c / ec))
        out.append("- **N=1000, L=0: envssm's CPU time vs the others** — envssm %s ms median; "
                   "%s." % (fmt(ec), "; ".join(parts)))
    # 3
    e20 = m("n1000-l20", "envssm", "wall_ms")
    srv = m("n1000", "floor", "wall_ms")
    f20 = m("n1000-l20", "floor", "wall_ms")
    if e20 == e20 and srv == srv:
        pages = R["n1000-l20"]["pages"]
        lat = R["n1000-l20"]["latency_ms"]
        floor = pages * lat + srv
        out.append("- **N=1000, L=20 ms: wall within 3%% of pages × L + the server's time** — "
                   "%s: envssm %s ms vs %d × %d + %s = %s ms → %+.1f%%. (The floor client "
                   "itself measured %s ms at L=20, %+.1f%% from the same figure; envssm vs the "
                   "measured floor: %+.1f%%.)" % (
                       verdict(e20 <= floor * 1.03), fmt(e20), pages, lat, fmt(srv), fmt(floor),
                       (e20 / floor - 1) * 100, fmt(f20), (f20 / floor - 1) * 100,
                       (e20 / f20 - 1) * 100))
    # 4
    parts, ok_all = [], True
    for case in ("n10", "n100", "n1000"):
        er, fr = m(case, "envssm", "rss_kb"), m(case, "floor", "rss_kb")
        if er == er and fr == fr:
            ok_all &= (er - fr) <= 1024
            parts.append("N=%s: %s vs %s MiB (%+.0f KiB)" % (
                case[1:], fmt(er / 1024, 2), fmt(fr / 1024, 2), er - fr))
    if parts:
        out.append("- **Peak RSS within 1 MB of the floor at every N** — %s: %s." % (
            verdict(ok_all), "; ".join(parts)))
    # 5
    conns = {}
    for case in ("n10", "n100", "n1000", "n1000-l20"):
        cs = [r["connections"] for r in rows(case, "envssm")]
        if cs:
            conns[case] = cs
    if conns:
        allc = [c for cs in conns.values() for c in cs]
        tls_fail = sum(r["tls_failures"] for case in conns for r in rows(case, "envssm"))
        two = [r["connections"] for r in rows("two", "envssm")]
        out.append("- **One TLS handshake per endpoint per run (one connection for one PATH)** — "
                   "%s: envssm opened %s connection(s) per run over %d single-PATH runs "
                   "(%d TLS handshake failures at the fake)%s." % (
                       verdict(set(allc) == {1}), fmt_counts(allc), len(allc), tls_fail,
                       "; with two PATHs, %s per run (one per concurrent PATH: the pool cannot "
                       "hand one connection to two threads at once)" % fmt_counts(two)
                       if two else ""))
        for k, label in (("boto3", "boto3"), ("awscli", "aws CLI")):
            cs = [r["connections"] for case in conns for r in rows(case, k)]
            if cs:
                out[-1] += " %s: %s per run." % (label, fmt_counts(cs))
    # 6
    if R.get("two"):
        wa, wb = m("two", "envssm@a", "wall_ms"), m("two", "envssm@b", "wall_ms")
        wab = m("two", "envssm", "wall_ms")
        slower = max(wa, wb)
        out.append("- **Two PATHs ≈ the slower one** — %s (within 10%% taken as ≈): both %s ms vs "
                   "slower alone %s ms (%+.1f%%), vs the sum %s ms; the sequential floor took %s "
                   "ms." % (verdict(wab <= slower * 1.10), fmt(wab), fmt(slower),
                            (wab / slower - 1) * 100, fmt(wa + wb),
                            fmt(m("two", "floor", "wall_ms"))))
    # herd
    h = R.get("herd")
    if h:
        useful = h["n"] * h["pages"]
        fl = useful / h["rate"]
        out.append("- **Herd** (not a stated target): %s s total vs the %.1f s floor; %s "
                   "requests per useful one; %s failures." % (
                       " / ".join("%.2f" % r["wall_s"] for r in h["runs"]), fl,
                       " / ".join("%.2f" % (r["requests"] / useful) for r in h["runs"]),
                       " / ".join("%d" % r["failures"] for r in h["runs"])))
    # CA
    c = R.get("ca")
    if c:
        rs = c["rows"]

        def cm(k, f):
            return med([r[f] for r in rs.get(k, []) if r["exit"] == 0])

        es, eu, eb = cm("envssm-set", "cpu_ms"), cm("envssm-unset", "cpu_ms"), \
            cm("envssm-bundle", "cpu_ms")
        fu = cm("floor-unset", "cpu_ms")
        txt = "- **CA modes** (not a stated target): envssm CPU %s ms with the one-certificate " \
              "bundle" % fmt(es)
        if eu == eu:
            txt += ", %s ms unset (hashed directory, %+.1f ms)" % (fmt(eu), eu - es)
        if eb == eb:
            txt += ", %s ms with `AWS_CA_BUNDLE` naming the system bundle file (%+.1f ms)" % (
                fmt(eb), eb - es)
        if fu == fu:
            txt += "; libcurl's default as the floor uses it: %s ms" % fmt(fu)
        out.append(txt + ".")

    # failures
    nfail = sum(1 for res in R.values() if isinstance(res, dict) and "rows" in res
                and isinstance(res["rows"], dict)
                for rs in res["rows"].values() for r in rs if r.get("exit", 0) != 0)
    bad = [c for c in b.checks if not c[4]]
    out.append("- Failed timed runs: %d. Environment checks that differed: %d." % (nfail, len(bad)))
    return out


# --------------------------------------------------------------------------


def find_aws(python):
    cand = os.path.join(os.path.dirname(python), "aws")
    if os.access(cand, os.X_OK):
        return cand
    w = shutil.which("aws")
    if w and "/shims/" in w and shutil.which("pyenv"):
        p = subprocess.run(["pyenv", "which", "aws"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        if p.returncode == 0 and p.stdout.strip():
            return p.stdout.decode().strip()
    return w


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--envssm", default=os.path.join(ROOT, "envssm"))
    ap.add_argument("--floor", default=os.path.join(HERE, "floor"))
    ap.add_argument("--envssm-static", help="the static envssm (make static), run beside "
                    "the dynamic one")
    ap.add_argument("--floor-static", help="the static floor (make -C bench static); "
                    "required with --envssm-static")
    ap.add_argument("--measure", default=os.path.join(HERE, "measure"))
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"))
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for boto3_fetch.py and mapper.py (default: this one)")
    ap.add_argument("--aws", default=None, help="the aws CLI (default: found beside --python)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the repetitions")
    ap.add_argument("--herd-runs", type=int, default=3)
    ap.add_argument("--skip", action="append", default=[], choices=("boto3", "awscli"),
                    help="leave a peer out")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--ca-sub", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.ca_sub:
        return ca_sub(a.ca_sub)
    a.envssm = os.path.abspath(a.envssm)
    a.floor = os.path.abspath(a.floor)
    a.measure = os.path.abspath(a.measure)
    if bool(a.envssm_static) != bool(a.floor_static):
        ap.error("--envssm-static and --floor-static go together")
    if a.envssm_static:
        a.envssm_static = os.path.abspath(a.envssm_static)
        a.floor_static = os.path.abspath(a.floor_static)
    for what, p in (("envssm", a.envssm), ("floor", a.floor), ("measure", a.measure),
                    ("static envssm", a.envssm_static), ("static floor", a.floor_static)):
        if p is not None and not os.access(p, os.X_OK):
            ap.error("%s not found at %s (make; make static; make -C bench all static)"
                     % (what, p))
    a.aws = a.aws or find_aws(a.python)
    if "awscli" not in a.skip and not a.aws:
        log("aws CLI not found: leaving it out")
        a.skip.append("awscli")
    if "boto3" not in a.skip:
        p = subprocess.run([a.python, "-c", "import boto3"], stderr=subprocess.DEVNULL)
        if p.returncode != 0:
            log("boto3 not importable by %s: leaving it out" % a.python)
            a.skip.append("boto3")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    b = Bench(a)
    b.run()
    write_report(b, a.out)
    log("wrote %s (%.0f s)" % (a.out, b.elapsed))
    bad = [c for c in b.checks if not c[4]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
