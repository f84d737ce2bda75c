#!/usr/bin/env python3
"""What a watching envssm costs: idle CPU and memory between polls, requests
per poll, and the request rate a fleet of watchers puts on Parameter Store.

    python3 bench/watch.py --envssm ./envssm [--envssm-static PATH] --out bench/results.md

Against the project's fake SSM (tests/fakessm.py, plain HTTP on 127.0.0.1,
SigV4 checked), seeded with 10, 100 and 1000 parameters. Each envssm
supervises /bin/sleep:

- requests per poll: `--watch 1s` for a few polls, with and without
  `--watch-parameter`; envssm's own count ("polled with N requests", -vv)
  and the fake's DescribeParameters/GetParameters counts must agree;
- idle: `--watch 60s` with 100 parameters, CPU (utime+stime from
  /proc/PID/stat) over a window with no poll in it, and VmRSS/VmHWM;
- CPU per poll: `--watch 1s` with 100 parameters, CPU over the window
  divided by the polls in it;
- a fleet: N watchers at a 60 s interval ask requests-per-poll x N / 60 per
  second, against the 40 a second Parameter Store allows an account and
  region by default.
"""

import argparse
import datetime
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
import fakessm  # noqa: E402

SIZES = (10, 100, 1000)
HZ = os.sysconf("SC_CLK_TCK")
FLEET = 1000
FLEET_INTERVAL_S = 60
SSM_DEFAULT_TPS = 40
# the section of bench/results.md this writes; bench.py keeps it
BEGIN = "<!-- make bench-watch: begin -->"
END = "<!-- make bench-watch: end -->"


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def mem_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def smaps(pid):
    """Pss and private memory from smaps_rollup, and RSS per mapped file
    (anonymous memory as "[anonymous]"): where the resident pages are."""
    roll = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if v.strip().endswith("kB"):
                roll[k] = int(v.split()[0])
    files, cur = {}, None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            head = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+$", head[0]):
                cur = head[5] if len(head) > 5 and head[5].startswith("/") else "[anonymous]"
            elif head[0] == "Rss:":
                files[cur] = files.get(cur, 0) + int(head[1])
    return {"pss": roll.get("Pss", 0), "private": roll.get("Private_Clean", 0) +
            roll.get("Private_Dirty", 0), "anon": roll.get("Anonymous", 0),
            "shared": roll.get("Shared_Clean", 0) + roll.get("Shared_Dirty", 0),
            "files": files}


class Watcher:
    def __init__(self, envssm, fake, args, log):
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent",
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": fake.url,
               "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": fakessm.DEFAULT_ACCESS_KEY,
               "AWS_SECRET_ACCESS_KEY": fakessm.DEFAULT_SECRET_KEY,
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
        self.log = log
        self.p = subprocess.Popen([envssm, "-vv"] + args + ["--", "/bin/sleep", "3600"],
                                  env=env, stdout=log, stderr=log)

    def wait_started(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.log.flush()
            with open(self.log.name) as f:
                if "start '/bin/sleep'" in f.read():
                    return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("envssm did not start the program: see %s" % self.log.name)

    def polls(self):
        with open(self.log.name) as f:
            return [int(n) for n in re.findall(r"watch: polled with (\d+) requests", f.read())]

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=30)
        if rc not in (0, 128 + signal.SIGTERM, -signal.SIGTERM):
            raise RuntimeError("envssm exited %d: see %s" % (rc, self.log.name))


def ops(stats):
    by = stats.get("by_operation", {})
    return by.get("DescribeParameters", 0) + by.get("GetParameters", 0)


def requests_per_poll(envssm, fake, tmp, n, watch_parameter):
    args = ["--watch", "1s"]
    if watch_parameter:
        args += ["--watch-parameter", "/bw/deploy"]
    log = open(os.path.join(tmp, "rpp-%d-%d.log" % (n, watch_parameter)), "w")
    w = Watcher(envssm, fake, args + ["/bw/n%d" % n], log)
    try:
        w.wait_started()
        fake.reset_stats()
        before = len(w.polls())
        time.sleep(6.5)
        stats = fake.stats()
        counts = w.polls()[before:]
    finally:
        w.stop()
        log.close()
    if not counts:
        raise RuntimeError("no poll logged")
    seen = ops(stats)
    # the fake's count covers the polls logged, give or take one in flight
    if not (sum(counts) <= seen <= sum(counts) + max(counts)):
        raise RuntimeError("envssm counted %d requests in %d polls, the fake saw %d" %
                           (sum(counts), len(counts), seen))
    return statistics.median(counts), len(counts), seen


def idle(envssm, fake, tmp, label):
    log = open(os.path.join(tmp, "idle-%s.log" % label.replace(" ", "-")), "w")
    w = Watcher(envssm, fake, ["--watch", "60s", "/bw/n100"], log)
    try:
        w.wait_started()
        time.sleep(1.0)  # past the start
        t0, c0 = time.monotonic(), cpu_ticks(w.p.pid)
        polls0 = len(w.polls())
        time.sleep(30)
        t1, c1 = time.monotonic(), cpu_ticks(w.p.pid)
        mem = mem_kib(w.p.pid)
        maps = smaps(w.p.pid)
        polled = len(w.polls()) - polls0
    finally:
        w.stop()
        log.close()
    return {"cpu_pct": 100.0 * (c1 - c0) / HZ / (t1 - t0), "ticks": c1 - c0,
            "window_s": t1 - t0, "rss_mib": mem["VmRSS"] / 1024.0,
            "hwm_mib": mem["VmHWM"] / 1024.0, "polls_in_window": polled, "maps": maps}


def per_poll(envssm, fake, tmp, label):
    log = open(os.path.join(tmp, "poll-%s.log" % label.replace(" ", "-")), "w")
    w = Watcher(envssm, fake, ["--watch", "1s", "/bw/n100"], log)
    try:
        w.wait_started()
        time.sleep(0.5)
        c0, p0 = cpu_ticks(w.p.pid), len(w.polls())
        time.sleep(20)
        c1, p1 = cpu_ticks(w.p.pid), len(w.polls())
        mem = mem_kib(w.p.pid)
    finally:
        w.stop()
        log.close()
    polls = p1 - p0
    return {"ms_per_poll": 1000.0 * (c1 - c0) / HZ / max(polls, 1), "polls": polls,
            "rss_mib": mem["VmRSS"] / 1024.0, "hwm_mib": mem["VmHWM"] / 1024.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--envssm", required=True)
    ap.add_argument("--envssm-static")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    builds = [("envssm", os.path.abspath(a.envssm))]
    if a.envssm_static and os.path.exists(a.envssm_static):
        builds.append(("envssm, static", os.path.abspath(a.envssm_static)))
    began = time.monotonic()
    load0 = os.getloadavg()
    tmp = tempfile.mkdtemp(prefix="envssm-bench-watch-")
    gen = sum((["--generate", "/bw/n%d:%d" % (n, n)] for n in SIZES), [])
    fake = fakessm.FakeSSMProcess(*gen, "--generate", "/bw/deploy:1")
    fake.start()
    try:
        rpp = {(n, wp): requests_per_poll(builds[0][1], fake, tmp, n, wp)
               for n in SIZES for wp in (False, True)}
        idles = [(label, idle(path, fake, tmp, label)) for label, path in builds]
        polls = [(label, per_poll(path, fake, tmp, label)) for label, path in builds]
    finally:
        fake.stop()
    load1 = os.getloadavg()

    out = []
    w = out.append
    w(BEGIN)
    w("## Watching\n")
    w("What a watching envssm costs. Generated by `make bench-watch` (`bench/watch.py`) on %s in %.0f s. Numbers are from "
      "this machine and this run only; rerun to reproduce.\n" % (
          datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
          time.monotonic() - began))
    w("Machine: %d CPUs, load average %.2f at the start and %.2f at the end; clock ticks of "
      "%d Hz (CPU figures are whole ticks: 10 ms each at 100 Hz).\n" % (
          os.cpu_count(), load0[0], load1[0], HZ))
    w("Against the project's fake SSM (`tests/fakessm.py`) on 127.0.0.1, plain HTTP, SigV4 "
      "checked, with 10, 100 and 1000 generated parameters; each envssm supervises "
      "`/bin/sleep`.\n")
    w("### Requests per poll\n")
    w("`--watch 1s` for 6.5 s after the start. envssm's own count per poll (`-vv`: \"polled "
      "with N requests\") agrees with the fake's DescribeParameters + GetParameters count.\n")
    w("| parameters | polling | requests per poll | polls | fake's count |")
    w("|---:|---|---:|---:|---:|")
    for n in SIZES:
        for wp in (False, True):
            med, k, seen = rpp[(n, wp)]
            w("| %d | %s | %g | %d | %d |" % (
                n, "`--watch-parameter` (GetParameters, one name)" if wp
                else "the PATH (DescribeParameters, 50 a page)", med, k, seen))
    w("")
    w("### A fleet\n")
    w("%d watchers of 100 parameters each, polling every %d s (jitter spreads them evenly), "
      "against Parameter Store's default of %d requests a second for an account and region:"
      "\n" % (FLEET, FLEET_INTERVAL_S, SSM_DEFAULT_TPS))
    w("| polling | requests per poll | fleet requests per second | share of the default %d/s |"
      % SSM_DEFAULT_TPS)
    w("|---|---:|---:|---:|")
    for wp in (False, True):
        med = rpp[(100, wp)][0]
        rate = FLEET * med / FLEET_INTERVAL_S
        w("| %s | %g | %.1f | %.0f%% |" % ("`--watch-parameter`" if wp else "the PATH", med,
                                           rate, 100.0 * rate / SSM_DEFAULT_TPS))
    w("")
    w("### Idle and per poll\n")
    w("Idle: `--watch 60s` with 100 parameters, CPU over a 30 s window with no poll in it. "
      "Per poll: `--watch 1s`, CPU over 20 s divided by the polls. RSS is VmRSS at the end of "
      "the window, high-water mark VmHWM (the start, which fetches and decrypts, included).\n")
    w("| build | idle CPU, % of a core | idle window | RSS idle, MiB | RSS high-water, MiB | "
      "CPU per poll, ms | polls | RSS polling, MiB |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for (label, i), (_, p) in zip(idles, polls):
        w("| %s | %.3f%% (%d ticks) | %.1f s, %d polls | %.2f | %.2f | %.2f | %d | %.2f |" % (
            label, i["cpu_pct"], i["ticks"], i["window_s"], i["polls_in_window"], i["rss_mib"],
            i["hwm_mib"], p["ms_per_poll"], p["polls"], p["rss_mib"]))
    w("")
    memory_section(w, idles)
    targets_section(w, rpp, idles)
    w(END)
    text = "\n".join(out) + "\n"
    replace_section(a.out, text)
    print(text)


def memory_section(w, idles):
    w("### Where a watcher's memory is\n")
    w("From `/proc/PID/smaps_rollup` and `smaps` in the idle window. RSS counts every "
      "resident page mapped, shared libraries' pages that other processes share too; PSS "
      "divides each shared page among the processes mapping it; private is this "
      "process's alone (its heap, stack and the libraries' relocated data).\n")
    w("| build | RSS, MiB | PSS, MiB | private, MiB | anonymous, MiB | largest by RSS (KiB) |")
    w("|---|---:|---:|---:|---:|---|")
    for label, i in idles:
        m = i["maps"]
        top = sorted(m["files"].items(), key=lambda kv: -kv[1])[:6]
        w("| %s | %.2f | %.2f | %.2f | %.2f | %s |" % (
            label, i["rss_mib"], m["pss"] / 1024.0, m["private"] / 1024.0, m["anon"] / 1024.0,
            ", ".join("%s %d" % (os.path.basename(k), v) for k, v in top)))
    w("")


def targets_section(w, rpp, idles):
    w("### Targets\n")
    for label, i in idles:
        w("- **%s idle under 0.1%% of a core between polls** — **%s**: %.3f%% (%d clock ticks "
          "in %.0f s; one tick would be %.3f%%)." % (
              label, "holds" if i["cpu_pct"] < 0.1 else "does not hold", i["cpu_pct"],
              i["ticks"], i["window_s"], 100.0 / HZ / i["window_s"]))
    for label, i in idles:
        ok = i["rss_mib"] <= 8.0
        line = "- **%s RSS ≤ 8 MiB watching 100 parameters** — **%s**: %.2f MiB" % (
            label, "holds" if ok else "does not hold", i["rss_mib"])
        if not ok:
            m = i["maps"]
            line += (" (PSS %.2f, private %.2f MiB: the rest is shared libraries' pages, "
                     "libcrypto's and libc's and those of the GnuTLS, Kerberos, LDAP, SSH and "
                     "RTMP libraries Debian's libcurl pulls in, which the static build does not "
                     "map)" % (
                         m["pss"] / 1024.0, m["private"] / 1024.0))
        w(line + ".")
    rate = FLEET * rpp[(100, True)][0] / FLEET_INTERVAL_S
    w("- **A fleet of %d watchers of 100 parameters at %d s with `--watch-parameter` ≤ 17 "
      "requests a second** — **%s**: %.1f/s." % (FLEET, FLEET_INTERVAL_S,
                                                 "holds" if rate <= 17 else "does not hold",
                                                 rate))
    w("")


def replace_section(path, text):
    """Puts text in place of the watch section of path (bench/results.md,
    which `make bench` writes and keeps this section of), or at its end."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text.rstrip("\n") + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + text
    with open(path, "w") as f:
        f.write(new)


if __name__ == "__main__":
    main()
