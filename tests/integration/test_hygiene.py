"""Secret hygiene of the process itself: while envssm holds secrets it is not
dumpable (no core dump, no ptrace or /proc reading by its own user), and the
program it becomes is dumpable again, as execve makes it.

On Linux a non-dumpable process's /proc/PID files belong to root. So envssm is
run as an unprivileged user ('nobody') against a loopback fake that answers
slowly: while it is still fetching, /proc/PID/environ must be root's; once it
has become the program (same PID), it must be nobody's again.
"""

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import time
import unittest

import faultlib

PATH = "/hyg"
PARAMS, EXPECTED, NAMES = faultlib.seed_params(PATH, 5, "hygiene")


def nobody():
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def reachable_by_others(path):
    """True when a user with no special rights can execute path: every
    directory on the way searchable, the file executable, by 'other'."""
    path = os.path.realpath(path)
    if not os.stat(path).st_mode & stat.S_IXOTH:
        return False
    d = os.path.dirname(path)
    while True:
        if not os.stat(d).st_mode & stat.S_IXOTH:
            return False
        if d == "/":
            return True
        d = os.path.dirname(d)


def owner(pid):
    return os.stat("/proc/%d/environ" % pid).st_uid


class TestNotDumpable(unittest.TestCase):
    def setUp(self):
        faultlib.require_binary()
        if os.geteuid() != 0:
            self.skipTest("needs root to run envssm as another user")
        self.user = nobody()
        if self.user is None:
            self.skipTest("no 'nobody' user")
        if faultlib.is_wrapper():
            self.skipTest("the binary is a wrapper script: its own process is not envssm")
        self.dir = tempfile.mkdtemp(prefix="envssm-hygiene-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        os.chmod(self.dir, 0o755)
        # the checkout may sit in a private directory: run a copy nobody can reach
        self.binary = os.path.join(self.dir, "envssm")
        shutil.copy(faultlib.ENVSSM, self.binary)
        os.chmod(self.binary, 0o755)
        if not reachable_by_others(self.binary):
            self.skipTest("nobody cannot reach %s" % self.binary)

    def test_not_dumpable_while_fetching_dumpable_after_exec(self):
        fake = faultlib.FakeSSM(seed=[dict(p) for p in PARAMS], latency_ms="1500@first:1")
        fake.start()
        self.addCleanup(fake.stop)
        env = faultlib.envssm_env(fake.url, self.dir)
        uid, gid = self.user.pw_uid, self.user.pw_gid

        def drop():
            os.setgid(gid)
            os.setuid(uid)

        # the program sleeps so its /proc entry can be looked at after exec
        p = subprocess.Popen([self.binary, PATH, "--", "/bin/sleep", "3"], env=env,
                             cwd=self.dir, preexec_fn=drop, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            time.sleep(0.6)  # envssm is waiting for its first page
            self.assertIsNone(p.poll(), "envssm ended before the slow page arrived")
            self.assertEqual(owner(p.pid), 0,
                             "envssm (running as nobody) is dumpable while it holds secrets")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with open("/proc/%d/cmdline" % p.pid, "rb") as f:
                    if f.read().startswith(b"/bin/sleep"):
                        break
                time.sleep(0.05)
            else:
                self.fail("envssm never became the program")
            self.assertEqual(owner(p.pid), uid,
                             "the program envssm became is not dumpable (execve should restore it)")
        finally:
            if p.poll() is None:
                p.kill()
            out, err = p.communicate(timeout=10)
        self.assertEqual(faultlib.find_leaks(out + err), [])


if __name__ == "__main__":
    unittest.main()
