"""The thundering herd: 100 envssm processes start at once against a rate-limited SSM.

Run with `python3 tests/integration/run.py -k herd [--envssm PATH]`.

One fake SSM (tests/fakessm.py in its own process, stopped by PID) serves HTTPS with a
generated CA that envssm trusts through AWS_CA_BUNDLE, checks every SigV4 signature,
holds 30 parameters under /herd (three pages of ten, every value a registered secret
token) and limits all calls together to 40 requests a second with a bucket of 40 --
SSM's default throughput. 100 envssm processes are started at once -- spawned with
Popen behind a start gate (a /bin/sh waiting for EOF on a pipe, then exec'ing envssm
in the same process) and released together by closing the pipe, so a slow spawn on a
loaded machine does not spread the herd out -- each running a program that writes its
envp to its own file.

- test_1: envssm's default retry policy (throttling retried until the deadline) must
  bring all 100 up: every program ran with the complete environment, byte-exact, and
  no envssm exited non-zero. Printed, not asserted: the wall time against the 7.5 s
  floor (300 useful requests at 40/s), the requests the fake served per useful
  request, the throttled count.
- test_2: with AWS_MAX_ATTEMPTS=2 the user's limit is honoured: no connection
  carries more than 2 throttled answers in a row (one page, two attempts), some
  processes fail with 125 and one line naming ThrottlingException, and every
  process either exited 125 without running its program or ran it with the complete
  environment -- never a partial one.
- Both: nothing secret in any envssm's stdout or stderr.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
from faultlib import (FakeSSMProcess, check_program_env, envssm_argv, envssm_env,  # noqa: E402
                      kill_by_pid, max_throttle_run_per_connection)

PATH = "/herd"
PARAMS, EXPECTED, NAMES = faultlib.seed_params(PATH, 30, "herd")
PROCESSES = 100
RATE = 40
BURST = 40
PAGES = 3
USEFUL = PAGES * PROCESSES
FLOOR_S = USEFUL / RATE                 # 7.5 s: every useful request at the limit
HERD_LIMIT_S = 60 + 30                  # envssm's default deadline plus slack: a hang
GATE_SCRIPT = 'read _ <&%d; exec %d<&-; exec "$@"'


class HerdRun:
    def __init__(self, results, wall, spawn, stats, requests):
        self.results, self.wall, self.spawn = results, wall, spawn
        self.stats, self.requests = stats, requests

    def summary(self, label):
        st = self.stats
        served = st["requests"]
        throttled = st["by_outcome"].get("throttled", 0)
        rcs = {}
        for r in self.results:
            rcs[r.rc] = rcs.get(r.rc, 0) + 1
        return ("[herd %s] %d processes: wall %.2f s from the release (floor %.1f s = %d useful "
                "requests at %d/s; %.1f s counting the burst of %d; spawning behind the gate "
                "took %.2f s); the fake served %d requests "
                "= %.2f per useful request, %d throttled, %d connections, longest throttled run "
                "on one connection %d; exit statuses %s"
                % (label, len(self.results), self.wall, FLOOR_S, USEFUL, RATE,
                   (USEFUL - BURST) / RATE, BURST, self.spawn, served, served / USEFUL, throttled,
                   st["connections_accepted"], max_throttle_run_per_connection(self.requests),
                   dict(sorted(rcs.items()))))


class TestHerd(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        faultlib.require_binary()
        if faultlib.is_wrapper():
            raise unittest.SkipTest("%s is a wrapper script (make valgrind): 100 instrumented "
                                    "processes at once measure the instrument, not envssm's "
                                    "retries" % faultlib.ENVSSM)
        if os.environ.get("ENVSSM_INSTRUMENTED") == "1":
            raise unittest.SkipTest("an instrumented build (make asan): 100 sanitized processes "
                                    "at once on a shared machine measure the instrument; the "
                                    "herd runs against the plain build in make check")
        cls.tmp = tempfile.mkdtemp(prefix="envssm-herd-")
        cls.fake = None
        try:
            seed = os.path.join(cls.tmp, "seed.json")
            with open(seed, "w") as f:
                json.dump(PARAMS, f)
            cls.fake = FakeSSMProcess("--tls-dir", os.path.join(cls.tmp, "tls"),
                                      "--rate-limit", str(RATE), "--burst", str(BURST),
                                      "--seed", seed).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.fake is not None:
            cls.fake.stop()  # SIGTERM by PID, then SIGKILL if needed
            cls.fake = None
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def herd(self, label, **extra):
        fake = self.fake
        work = tempfile.mkdtemp(dir=self.tmp, prefix=label + "-")
        env = envssm_env(fake.url, os.path.join(work, "home"), ca=fake.ca, extra=extra)
        self.assertTrue(fake.url.startswith("https://127.0.0.1:") and fake.ca)
        files = [os.path.join(work, "environ.%03d" % i) for i in range(PROCESSES)]
        argvs = [envssm_argv([PATH], f) for f in files]
        fake.set(rate_limit=RATE, burst=BURST)  # a full bucket, as at a fleet's start
        fake.reset_stats()

        # The start gate: each process is a /bin/sh that waits for EOF on a pipe, then
        # execs envssm (same PID). Closing the write end releases all 100 at the same
        # instant, however long this loaded 2-core machine takes to spawn them.
        env["PWD"] = work  # what sh would export anyway; inherited unchanged
        gate_r, gate_w = os.pipe()
        procs = []
        spawn_start = time.monotonic()
        try:
            try:
                for argv in argvs:
                    gate = ["/bin/sh", "-c", GATE_SCRIPT % (gate_r, gate_r), "gate"]
                    procs.append(subprocess.Popen(gate + argv, env=env, cwd=work,
                                                  stdin=subprocess.DEVNULL, pass_fds=(gate_r,),
                                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE))
            finally:
                os.close(gate_r)
                spawn = time.monotonic() - spawn_start
                time.sleep(0.2)  # every sh reaches its read
                start = time.monotonic()
                os.close(gate_w)  # go
            outputs = []
            for p in procs:
                left = HERD_LIMIT_S - (time.monotonic() - start)
                try:
                    outputs.append(p.communicate(timeout=max(0.1, left)))
                except subprocess.TimeoutExpired:
                    self.fail("envssm pid %d still running %.0f s after the herd started"
                              % (p.pid, time.monotonic() - start))
            wall = time.monotonic() - start
        finally:
            for p in procs:
                if p.returncode is None:
                    kill_by_pid(p)
        results = []
        for argv, f, p, (out, err) in zip(argvs, files, procs, outputs):
            r = faultlib.Result(argv, p.returncode, out, err, wall, p.pid, f)
            r.env = env
            results.append(r)
        run = HerdRun(results, wall, spawn, fake.stats(), faultlib.ssm_requests(fake))
        print("\n" + run.summary(label), flush=True)
        leaky = ["pid %d: %s" % (r.pid, ", ".join(r.leaks)) for r in results if r.leaks]
        self.assertEqual(leaky, [], "envssm's own output leaks secrets")
        st = run.stats
        self.assertEqual(st["handler_errors"], 0, "the fake itself failed: %r" % st)
        self.assertEqual(st["by_outcome"].get("bad_signature", 0), 0,
                         "signatures refused: %r" % st["by_outcome"])
        return run

    def test_1_herd_comes_up(self):
        run = self.herd("default")
        failed = ["pid %d exit %s: %s" % (r.pid, r.rc, r.err.decode("utf-8", "replace").strip())
                  for r in run.results if r.rc != 0]
        self.assertEqual(failed, [], "%d of %d envssm processes failed\n%s"
                         % (len(failed), PROCESSES, "\n".join(failed[:10])))
        ran = [r for r in run.results if r.ran]
        self.assertEqual(len(ran), PROCESSES, "only %d programs ran" % len(ran))
        bad = []
        for r in run.results:
            problems = check_program_env(r, r.env, EXPECTED)
            if problems:
                bad.append("pid %d: %s" % (r.pid, "; ".join(problems)))
        self.assertEqual(bad, [], "programs started with a wrong environment:\n"
                         + "\n".join(bad[:10]))
        self.assertEqual(run.stats["by_outcome"].get("ok"), USEFUL,
                         "pages answered OK: %r" % run.stats["by_outcome"])

    def test_2_max_attempts_honoured(self):
        run = self.herd("max-attempts-2", AWS_MAX_ATTEMPTS="2")
        longest = max_throttle_run_per_connection(run.requests)
        self.assertLessEqual(longest, 2, "a connection got %d throttled answers in a row with "
                             "AWS_MAX_ATTEMPTS=2" % longest)
        bad, failed = [], 0
        for r in run.results:
            lines = r.err_lines()
            if r.rc == 125:
                failed += 1
                if r.ran:
                    bad.append("pid %d: exit 125 but the program ran" % r.pid)
                if len(lines) != 1 or not lines[0].startswith("envssm: ") \
                        or "ThrottlingException" not in lines[0] or PATH not in lines[0]:
                    bad.append("pid %d: exit 125 without one line naming ThrottlingException "
                               "and %s: %r" % (r.pid, PATH, lines))
            elif r.rc == 0:
                problems = check_program_env(r, r.env, EXPECTED)
                if problems:
                    bad.append("pid %d: %s" % (r.pid, "; ".join(problems)))
            else:
                bad.append("pid %d: exit %s: %r" % (r.pid, r.rc, lines))
        self.assertEqual(bad, [], "\n".join(bad[:10]))
        # 300 pages cannot pass 40/s in the few seconds two attempts a page allow
        self.assertGreater(failed, 0, "AWS_MAX_ATTEMPTS=2 and yet every process came up: "
                           "the limit looks ignored\n" + run.summary("max-attempts-2"))


if __name__ == "__main__":
    unittest.main()
