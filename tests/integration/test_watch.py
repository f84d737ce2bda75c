"""--watch: follow configuration changes by restarting the program.

Against moto_server (signature checking on) for changes, and the project's
fault fake for the failures a watch must sit out (fail static).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import faultlib  # noqa: E402
import motoserver  # noqa: E402
from motoserver import register_secret, secret_token  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
PYTHON = os.path.realpath(sys.executable)
SERVER = None
TMP = None

# The program: appends "pid value" to argv[1] when it starts, then waits;
# SIGTERM ends it with status 0.
PROGRAM = r'''
import os, signal, sys, time
signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
with open(sys.argv[1], "a") as f:
    f.write("%d %s %s\n" % (os.getpid(), os.environ.get("COLOR", "-"),
                            os.environ.get("TOKEN", "-")))
while True:
    time.sleep(1)
'''


def setUpModule():
    global SERVER, TMP
    TMP = tempfile.mkdtemp(prefix="envssm-watch-")
    SERVER = motoserver.MotoServer()
    SERVER.start()


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    shutil.rmtree(TMP, ignore_errors=True)


def starts(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.split() for line in f if line.strip()]


def watcher(case, args, env, d=None):
    """envssm ARGS -- PROGRAM in the background, recording into d (case.dir) and
    logging to d/envssm.log."""
    d = d or case.dir
    return faultlib.Watcher(case, args, PROGRAM, os.path.join(d, "starts"), env,
                            os.path.join(d, "envssm.log"), starts)


class Watch(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=TMP, prefix=self._testMethodName[:30] + "-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)

    def env(self, **extra):
        return SERVER.envssm_env(self.home, extra=extra)

    def test_change_restarts_once(self):
        token = secret_token("watch token v1")
        SERVER.put_parameters([("/w1/app/color", "red"),
                               ("/w1/app/token", token, "SecureString")])
        w = watcher(self, ["-v", "--watch", "2s", "--stop-timeout", "5", "/w1/app"], self.env())
        try:
            first = w.wait_for(1, 30)
            self.assertEqual([s[1:] for s in first], [["red", token]])
            time.sleep(2.5)  # a poll or two with nothing changed: no restart
            self.assertEqual(len(starts(w.out)), 1)
            token2 = register_secret("watch token v2", secret_token("watch token v2"))
            SERVER.put_parameters([("/w1/app/color", "blue"),
                                   ("/w1/app/token", token2, "SecureString")])
            changed = time.monotonic()
            got = w.wait_for(2, 2.2 + 5 + 2 + 2)  # interval+jitter, settle, stop, slack
            self.assertEqual(len(got), 2, "no restart after the change")
            self.assertLess(time.monotonic() - changed, 2.2 + 5 + 2 + 2)
            self.assertEqual(got[1][1:], ["blue", token2])
            self.assertNotEqual(got[0][0], got[1][0])
            time.sleep(5)  # two more intervals: still exactly one restart
            self.assertEqual(len(starts(w.out)), 2)
        finally:
            rc, log = w.stop()
        self.assertEqual(rc, 0, log)
        self.assertIn("/w1/app/color (version 1 -> 2)", log)
        self.assertIn("/w1/app/token (version 1 -> 2)", log)
        # nothing left running
        for pid, _, _ in starts(w.out):
            self.assertFalse(os.path.exists("/proc/%s" % pid), "program %s still runs" % pid)

    def test_watch_parameter(self):
        SERVER.put_parameters([("/w2/app/color", "red"), ("/w2/deploy", "1")])
        w = watcher(self, ["-v", "--watch", "2s", "--watch-parameter", "/w2/deploy",
                           "/w2/app"], self.env())
        try:
            self.assertEqual(len(w.wait_for(1, 30)), 1)
            SERVER.put_parameters([("/w2/app/color", "green")])
            time.sleep(5)  # the watched parameter did not move: no restart
            self.assertEqual(len(starts(w.out)), 1)
            SERVER.put_parameters([("/w2/deploy", "2")])
            got = w.wait_for(2, 15)
            self.assertEqual(len(got), 2, "no restart after the watched parameter moved")
            self.assertEqual(got[1][1], "green")
        finally:
            rc, log = w.stop()
        self.assertEqual(rc, 0, log)
        self.assertIn("/w2/deploy (version 1 -> 2)", log)

    def test_references_and_a_rotated_secret(self):
        # references are polled in GetParameters batches, Secrets Manager's apart
        # (Parameter Store answers those only decrypted, with no version of their
        # own): a rotated secret restarts the program; its value is never logged
        SERVER.put_parameters([("/w5/color", "red"), ("/w5/size", "big")])
        token = secret_token("watch secretsmanager v1")
        sm = SERVER.client("secretsmanager")
        sm.create_secret(Name="w5/token", SecretString=token)
        env = self.env(COLOR="ssm:///w5/color", SIZE="ssm:///w5/size",
                       TOKEN="ssm:///aws/reference/secretsmanager/w5/token")
        w = watcher(self, ["-vv", "--watch", "2s", "--stop-timeout", "5"], env)
        try:
            first = w.wait_for(1, 30)
            self.assertEqual([s[1:] for s in first], [["red", token]])
            time.sleep(4.5)  # polls with nothing changed: no restart
            self.assertEqual(len(starts(w.out)), 1)
            token2 = secret_token("watch secretsmanager v2")
            sm.put_secret_value(SecretId="w5/token", SecretString=token2)
            got = w.wait_for(2, 2.2 + 5 + 2 + 2)
            self.assertEqual(len(got), 2, "no restart after the secret was rotated")
            self.assertEqual(got[1][1:], ["red", token2])
            time.sleep(4.5)
            self.assertEqual(len(starts(w.out)), 2, "restarted again with nothing changed")
        finally:
            rc, log = w.stop()
        self.assertEqual(rc, 0, log)
        self.assertIn("w5/token (new value)", log)
        self.assertNotIn("value:", log, "a digest of the secret was logged")
        # two references in one request, the secret in another
        self.assertIn("watch: polled with 2 requests", log)
        self.assertNotIn("watch: polled with 3 requests", log)

    def test_incomplete_environment_keeps_the_program(self):
        SERVER.put_parameters([("/w3/app/color", "red"), ("/w3/app/size", "1")])
        w = watcher(self, ["-v", "--watch", "2s", "--require", "SIZE", "/w3/app"], self.env())
        try:
            self.assertEqual(len(w.wait_for(1, 30)), 1)
            SERVER.client("ssm").delete_parameter(Name="/w3/app/size")
            time.sleep(7)
            self.assertEqual(len(starts(w.out)), 1, "restarted on an incomplete environment")
            self.assertIsNone(w.p.poll())
            SERVER.put_parameters([("/w3/app/size", "2"), ("/w3/app/color", "blue")])
            got = w.wait_for(2, 20)
            self.assertEqual(len(got), 2)
            self.assertEqual(got[1][1], "blue")
        finally:
            rc, log = w.stop()
        self.assertEqual(rc, 0, log)
        self.assertEqual(log.count("required variables are not set"), 1, log)

    def test_program_exit_ends_the_watch(self):
        SERVER.put_parameters([("/w4/app/color", "red")])
        p = subprocess.run([ENVSSM, "--watch", "1h", "/w4/app", "--", "sh", "-c", "exit 7"],
                           env=self.env(), capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 7, p.stderr)

    def test_usage(self):
        for args in (["--watch", "0", "/x", "--", "true"], ["--watch", "2d", "/x", "--", "true"],
                     ["--watch-parameter", "/x", "/x", "--", "true"],
                     ["--watch", "5", "--stop-signal", "NOPE", "/x", "--", "true"],
                     ["--watch", "5", "--format", "shell", "/x"]):
            p = subprocess.run([ENVSSM] + args, env=self.env(), capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 125, args)
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)


class CredentialRotation(unittest.TestCase):
    """Container credentials that expire a little after the SDKs' 15-minute
    refresh window, refused by SSM soon after: a watch renews them in the
    window and keeps polling across several rotations."""

    def test_renewed_before_refused(self):
        tmp = tempfile.mkdtemp(dir=TMP, prefix="rotation-")
        # keys expire 900 + 3 s after they are handed out; SSM refuses them at 6 s
        fake = faultlib.start_seeded_fake(
            self, tmp, [{"Name": "/rot/app/color", "Type": "String", "Value": "red"}],
            "--container-rotate-s", "3")
        w = watcher(self, ["-v", "--watch", "1s", "/rot/app"],
                    faultlib.fake_process_env(fake, tmp, container_credentials=True), tmp)
        try:
            self.assertEqual(len(w.wait_for(1, 30)), 1)
            time.sleep(14)  # four rotations or so, a poll a second
            fake.add_params([{"Name": "/rot/app/color", "Type": "String", "Value": "blue"}])
            got = w.wait_for(2, 20)
            stats = fake.stats()
        finally:
            rc, text = w.stop()
        self.assertEqual(rc, 0, text)
        self.assertEqual(len(got), 2, "the change after the rotations did not restart\n" + text)
        self.assertEqual(got[1][1], "blue")
        self.assertGreaterEqual(stats["container"]["requests"], 4,
                                "credentials were not renewed across rotations")
        self.assertGreaterEqual(len([k for k in stats["by_access_key"]
                                     if k.startswith("ASIAFAKEROTATED")]), 4)
        self.assertNotIn("expired_token", stats["by_outcome"], text)
        self.assertGreaterEqual(stats["by_outcome"].get("ok", 0), 10)
        self.assertNotIn("trying again", text)


WSGI_APP = r'''
import os
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [os.environ.get("COLOR", "-").encode()]
'''


def can_unshare_pid():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-p", "-f", "--mount-proc", "true"],
                          capture_output=True).returncode == 0


def http_get(port):
    import urllib.request
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


@unittest.skipUnless(shutil.which("gunicorn"), "gunicorn is not installed (apt-get install gunicorn)")
@unittest.skipUnless(can_unshare_pid(), "needs root and unshare -p")
class RealService(unittest.TestCase):
    """gunicorn under envssm --watch as PID 1 of a PID namespace."""

    def test_gunicorn_follows_a_change(self):
        tmp = tempfile.mkdtemp(dir=TMP, prefix="gunicorn-")
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        with open(os.path.join(tmp, "app.py"), "w") as f:
            f.write(WSGI_APP)
        SERVER.put_parameters([("/g/app/color", "red"),
                               ("/g/app/db_password", secret_token("gunicorn db password"),
                                "SecureString")])
        port = motoserver.free_loopback_port()
        log = open(os.path.join(tmp, "envssm.log"), "w+b")
        stop_timeout = 10
        p = subprocess.Popen(["unshare", "-p", "-f", "--mount-proc", ENVSSM, "-vv",
                              "--watch", "2s", "--stop-timeout", str(stop_timeout), "/g/app", "--",
                              shutil.which("gunicorn"), "--bind", "127.0.0.1:%d" % port,
                              "--workers", "2", "--chdir", tmp, "--graceful-timeout", "5",
                              "app:app"],
                             env=SERVER.envssm_env(home), stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while http_get(port) != "red" and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(http_get(port), "red", "gunicorn never served the first value")
            SERVER.put_parameters([("/g/app/color", "blue")])
            changed = time.monotonic()
            budget = 2.2 + stop_timeout + 2  # interval (with jitter) + stop time + 2 s
            while http_get(port) != "blue" and time.monotonic() - changed < budget:
                time.sleep(0.1)
            self.assertEqual(http_get(port), "blue", "the change did not reach the service")
            took = time.monotonic() - changed
            self.assertLess(took, budget)
            with open(("/proc/%d/task/%d/children" % (p.pid, p.pid))) as f:
                envssm_pid = int(f.read().split()[0])
            os.kill(envssm_pid, signal.SIGTERM)
            rc = p.wait(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            log.close()
        self.assertEqual(motoserver.find_leaks(text), [], "envssm's log leaks a secret")
        self.assertEqual(rc, 0, text)
        self.assertIn("/g/app/color (version 1 -> 2)", text)
        self.assertIsNone(http_get(port), "gunicorn still answers after the stop")
        left = subprocess.run(["pgrep", "-f", "127.0.0.1:%d" % port], capture_output=True)
        self.assertEqual(left.stdout, b"", "processes left running")


class FailStatic(unittest.TestCase):
    """SSM failing for several intervals never touches the program; back with a
    change, it is restarted exactly once."""

    def test_outage_then_change(self):
        tmp = tempfile.mkdtemp(dir=TMP, prefix="failstatic-")
        fake = faultlib.start_seeded_fake(
            self, tmp, [{"Name": "/fs/app/color", "Type": "String", "Value": "red"}])
        w = watcher(self, ["--watch", "1s", "--timeout", "3", "/fs/app"],
                    faultlib.fake_process_env(fake, tmp, extra={"AWS_MAX_ATTEMPTS": "2"}), tmp)
        try:
            self.assertEqual(len(w.wait_for(1, 30)), 1)
            for fault in ({"error_5xx": "all"}, {"throttle": "all"}, {"reset": "all"}):
                fake.set(**fault)
                time.sleep(3)
                fake.set(**{k: "off" for k in fault})
            fake.set(error_5xx="all")
            fake.add_params([{"Name": "/fs/app/color", "Type": "String", "Value": "blue"}])
            time.sleep(3)
            self.assertEqual(len(starts(w.out)), 1, "the program was touched during the outage")
            self.assertIsNone(w.p.poll())
            fake.set(error_5xx="off")
            w.wait_for(2, 20)
            time.sleep(3)
            got = starts(w.out)
            self.assertEqual(len(got), 2, "not restarted exactly once after the outage")
            self.assertEqual(got[1][1], "blue")
        finally:
            rc, text = w.stop()
        self.assertEqual(rc, 0, text)
        # logged once per change of state, not once per poll
        n = text.count("the program keeps its environment")
        self.assertGreaterEqual(n, 1, "the outage was never seen\n" + text)
        self.assertLessEqual(n, 8, text)
        self.assertIn("Parameter Store answers again", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
