"""--supervise: envssm stays as the program's parent, as an init does.

Against moto_server (signature checking on) for the environment, and in PID
namespaces (`unshare -p -f --mount-proc`, root) for the init duties: orphans
reaped, every catchable signal forwarded, statuses passed through.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoserver  # noqa: E402
from faultlib import is_wrapper  # noqa: E402
from motoserver import find_leaks, secret_token  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
PYTHON = os.path.realpath(sys.executable)
SERVER = None
TMP = None
# ENVSSM_QUICK=1 (make valgrind): a sample of the statuses, not all 256.
QUICK = os.environ.get("ENVSSM_QUICK") == "1"

# Signals the supervisor forwards: every catchable one except SIGCHLD, the
# synchronous faults and the terminal stops (SIGTSTP and SIGCONT included:
# the program decides what a stop means).
NOT_FORWARDED = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, signal.SIGSEGV,
                 signal.SIGBUS, signal.SIGFPE, signal.SIGILL, signal.SIGTRAP,
                 signal.SIGSYS, signal.SIGABRT, signal.SIGTTIN, signal.SIGTTOU}
FORWARDED = sorted(int(s) for s in signal.valid_signals()
                   if s not in NOT_FORWARDED and (s < 32 or s >= signal.SIGRTMIN))
# Under make valgrind's wrapper, valgrind keeps SIGRTMAX for its own threads
# (no program under it can catch that one) and leaves its log files open in
# every program started below it.
VALGRIND_SIGNALS = {int(signal.SIGRTMAX)}
# ENVSSM_QUICK=1: one of each kind (a stop, a job control, a user, a real-time one).
QUICK_SIGNALS = {int(signal.SIGHUP), int(signal.SIGTERM), int(signal.SIGCONT),
                 int(signal.SIGUSR2), int(signal.SIGWINCH), int(signal.SIGRTMIN) + 3}

# The program: records every signal it gets (number per line) into argv[1],
# says it is ready, and exits 0 once it has seen each number in argv[2].
RECORDER = r'''
import os, signal, sys, time
out, want = sys.argv[1], set(int(x) for x in sys.argv[2].split(","))
seen = []
def on(sig, frame):
    seen.append(sig)
    with open(out, "a") as f:
        f.write("%d\n" % sig)
for s in want:
    signal.signal(s, on)
with open(out + ".ready", "w") as f:
    f.write(str(os.getpid()))
deadline = time.monotonic() + 60
while not want.issubset(seen) and time.monotonic() < deadline:
    time.sleep(0.01)
sys.exit(0 if want.issubset(seen) else 9)
'''

# Orphans: children whose parent exits at once, so they are reparented to
# PID 1 (envssm) and must be reaped by it; then count zombies in /proc.
ORPHANS = r'''
import os, subprocess, sys, time
for i in range(5):
    subprocess.Popen(["sh", "-c", "sleep 0.%d & exit 0" % (i + 1)]).wait()
time.sleep(1.0)
def zombies():
    n = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                st = open("/proc/%s/stat" % p).read()
            except OSError:
                continue
            if st.rsplit(")", 1)[1].split()[0] == "Z":
                n.append(p)
    return n
for _ in range(200):
    z = zombies()
    if not z:
        break
    time.sleep(0.01)
with open(sys.argv[1], "w") as f:
    f.write("%d %d %s" % (os.getpid(), os.getppid(), ",".join(z)))
'''

# State the program inherits: mask, ignored signals, descriptors, environment.
INHERIT = r'''
import json, os, sys
st = {}
for line in open("/proc/self/status"):
    k, _, v = line.partition(":")
    if k in ("SigBlk", "SigIgn"):
        st[k] = int(v.strip(), 16)
st["fds"] = {}
for fd in os.listdir("/proc/self/fd"):
    try:
        st["fds"][fd] = os.readlink("/proc/self/fd/" + fd)
    except OSError:
        pass
st["env"] = dict(os.environ)
st["pgid"] = os.getpgid(0) == os.getpid()
json.dump(st, open(sys.argv[1], "w"))
'''


def default_signals():
    """The precondition of the signal tests: SIGINT and SIGQUIT at their
    defaults, as a shell's background job (which ignores them, and envssm
    rightly keeps them ignored) would not have them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def can_unshare_pid():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-p", "-f", "--mount-proc", "true"],
                          capture_output=True).returncode == 0


def setUpModule():
    global SERVER, TMP
    TMP = tempfile.mkdtemp(prefix="envssm-supervise-")
    SERVER = motoserver.MotoServer()
    SERVER.start()
    SERVER.put_parameters([
        ("/sup/app/db/password", secret_token("supervise db password"), "SecureString"),
        ("/sup/app/region", "eu-west-1", "String"),
    ])


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    shutil.rmtree(TMP, ignore_errors=True)


class Supervise(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=TMP, prefix=self._testMethodName[:30] + "-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)
        self.logs = []

    def tearDown(self):
        for out in self.logs:
            self.assertEqual(find_leaks(out), [], "envssm's output leaks a secret")

    def env(self, **extra):
        return SERVER.envssm_env(self.home, extra=extra)

    def envssm(self, args, ns=False, env=None, **kw):
        argv = [ENVSSM, "--supervise"] + list(args)
        if ns:
            argv = ["unshare", "-p", "-f", "--mount-proc"] + argv
        kw.setdefault("preexec_fn", default_signals)
        p = subprocess.run(argv, env=env or self.env(), capture_output=True, timeout=60, **kw)
        self.logs.append(p.stdout + p.stderr)
        return p

    def test_environment_as_exec_mode(self):
        out_s, out_e = os.path.join(self.dir, "s"), os.path.join(self.dir, "e")
        prog = [PYTHON, "-I", "-S", "-c", INHERIT]
        p = self.envssm(["/sup/app", "--"] + prog + [out_s])
        self.assertEqual(p.returncode, 0, p.stderr)
        e = subprocess.run([ENVSSM, "/sup/app", "--"] + prog + [out_e], env=self.env(),
                           capture_output=True, timeout=60)
        self.logs.append(e.stdout + e.stderr)
        self.assertEqual(e.returncode, 0, e.stderr)
        with open(out_s) as f:
            sup = json.load(f)
        with open(out_e) as f:
            exe = json.load(f)
        self.assertEqual(sup["env"], exe["env"])
        self.assertIn("DB_PASSWORD", sup["env"])
        self.assertEqual(sup["env"]["REGION"], "eu-west-1")
        self.assertTrue(sup["pgid"], "the program does not lead its own process group")

    def test_inherited_state_and_no_own_descriptors(self):
        out = os.path.join(self.dir, "state")
        r, w = os.pipe()  # an inherited descriptor the program must keep
        os.set_inheritable(r, True)

        def pre():
            default_signals()
            signal.signal(signal.SIGUSR2, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGWINCH})
        try:
            p = self.envssm(["/sup/app", "--", PYTHON, "-I", "-S", "-c", INHERIT, out],
                            pass_fds=(r,), preexec_fn=pre)
        finally:
            os.close(w)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            st = json.load(f)
        os.close(r)
        self.assertTrue(st["SigIgn"] & (1 << (signal.SIGUSR2 - 1)), "SIGUSR2 not ignored")
        self.assertTrue(st["SigBlk"] & (1 << (signal.SIGWINCH - 1)), "SIGWINCH not blocked")
        self.assertFalse(st["SigBlk"] & (1 << (signal.SIGTERM - 1)), "envssm's mask leaked")
        # 0, 1, 2, the inherited pipe, and the one Python opens to list /proc/self/fd
        fds = {int(fd): target for fd, target in st["fds"].items()}
        if is_wrapper():
            fds = {fd: t for fd, t in fds.items() if "/valgrind-logs/vg." not in t}
        extra = [fd for fd in fds if fd not in (0, 1, 2, r)]
        self.assertLessEqual(len(extra), 1, "descriptors beyond the inherited: %r" % st["fds"])

    def test_status_passes_through(self):
        for status in ((0, 1, 7, 125, 126, 127, 128, 255) if QUICK else range(256)):
            p = self.envssm(["--allow-empty", "--", "sh", "-c", "exit %d" % status])
            self.assertEqual(p.returncode, status, p.stderr)
            self.assertEqual(p.stderr, b"")

    def test_killed_by_signal_is_128_plus_n(self):
        for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGKILL, signal.SIGUSR1,
                    signal.SIGSEGV, signal.SIGPIPE, signal.SIGTERM, signal.SIGALRM):
            p = self.envssm(["--allow-empty", "--", "sh", "-c", "kill -%d $$" % sig])
            self.assertEqual(p.returncode, 128 + sig, "signal %d: %r" % (sig, p.stderr))

    def test_exec_failure(self):
        p = self.envssm(["/sup/app", "--", os.path.join(self.dir, "missing")])
        self.assertEqual(p.returncode, 127)
        self.assertIn(b"unable to exec", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1)

    def test_usage(self):
        p = subprocess.run([ENVSSM, "--supervise", "--format", "shell", "/sup/app"],
                           env=self.env(), capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 125)
        self.assertIn(b"--supervise", p.stderr)
        p = subprocess.run([ENVSSM, "--signal-group", "/sup/app", "--", "true"],
                           env=self.env(), capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 125)

    @unittest.skipUnless(can_unshare_pid(), "needs root and unshare -p")
    def test_pid1_reaps_orphans(self):
        out = os.path.join(self.dir, "orphans")
        p = self.envssm(["/sup/app", "--", PYTHON, "-I", "-S", "-c",
                         ORPHANS, out], ns=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            pid, ppid, zombies = f.read().split(" ")
        self.assertEqual((pid, ppid), ("2", "1"), "the program is not PID 2 under envssm")
        self.assertEqual(zombies, "", "zombies left in the namespace: %s" % zombies)

    def forward_table(self, ns, group=False):
        out = os.path.join(self.dir, "signals")
        forwarded = [s for s in FORWARDED if not (is_wrapper() and s in VALGRIND_SIGNALS)]
        if QUICK:  # the whole table runs unsanitized and under ASan
            forwarded = [s for s in forwarded if s in QUICK_SIGNALS]
        want = ",".join(str(s) for s in forwarded)
        argv = [ENVSSM, "--supervise"] + (["--signal-group"] if group else []) + \
            ["/sup/app", "--", PYTHON, "-I", "-S", "-c", RECORDER, out, want]
        if ns:
            argv = ["unshare", "-p", "-f", "--mount-proc"] + argv
        p = subprocess.Popen(argv, env=self.env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=default_signals)
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(out + ".ready") and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertTrue(os.path.exists(out + ".ready"), "the program never started")
            target = p.pid
            if ns:  # envssm is unshare's child, PID 1 inside
                with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                    target = int(f.read().split()[0])
            for sig in forwarded:
                os.kill(target, sig)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    with open(out) if os.path.exists(out) else open(os.devnull) as f:
                        if str(sig) in f.read().split():
                            break
                    time.sleep(0.005)
            rc = p.wait(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
            o, e = p.communicate()
            self.logs.append(o + e)
        with open(out) as f:
            got = sorted(set(int(x) for x in f.read().split()))
        self.assertEqual([s for s in forwarded if s not in got], [], "signals not forwarded")
        self.assertEqual(rc, 0, e)

    def test_forwards_every_catchable_signal(self):
        self.forward_table(ns=False)

    @unittest.skipUnless(can_unshare_pid(), "needs root and unshare -p")
    def test_forwards_every_catchable_signal_as_pid1(self):
        self.forward_table(ns=True)

    def test_signal_group_reaches_grandchildren(self):
        out = os.path.join(self.dir, "group")
        script = ("trap 'echo child >> %s' USR1; "
                  "sh -c \"trap 'echo grandchild >> %s; exit 0' USR1; "
                  "touch %s.ready; while :; do sleep 0.05; done\" & "
                  "wait $!; wait $!; exit 0" % (out, out, out))
        p = subprocess.Popen([ENVSSM, "--supervise", "--signal-group", "/sup/app", "--",
                              "sh", "-c", script], env=self.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(out + ".ready") and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(p.pid, signal.SIGUSR1)
            rc = p.wait(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
            o, e = p.communicate()
            self.logs.append(o + e)
        with open(out) as f:
            got = sorted(f.read().split())
        self.assertEqual(got, ["child", "grandchild"])
        self.assertEqual(rc, 0, e)


if __name__ == "__main__":
    unittest.main(verbosity=2)
