"""--secret-files: secrets handed to the program as files, not variables.

Against moto_server (signature checking on). DIR lives in /dev/shm (tmpfs);
the disk rule is checked against the test's own temporary directory when
that is on a disk. The program records its environment and the contents of
every NAME_FILE it was given; a running one is read from outside through
/proc/PID/environ. Every log envssm writes is searched for the seeded values.
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import faultlib  # noqa: E402
import motoserver  # noqa: E402
from motoserver import find_leaks, register_secret, secret_token  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
PYTHON = os.path.realpath(sys.executable)
SERVER = None
TMP = None
SHM = None

# The program: appends one JSON line per event to argv[1] (its pid, its
# environment, the contents of every *_FILE but AWS_* it names); SIGHUP records again
# (a reload), SIGTERM ends it; with argv[2] == "wait" it stays until then.
PROGRAM = r'''
import json, os, signal, sys, time
out = sys.argv[1]
def record(tag):
    files = {}
    for k, v in os.environ.items():
        if k.endswith("_FILE") and not k.startswith("AWS_"):
            try:
                with open(v) as f:
                    files[k] = f.read()
            except OSError as e:
                files[k] = "unreadable: %s" % e.strerror
    with open(out, "a") as f:
        f.write(json.dumps({"tag": tag, "pid": os.getpid(), "env": dict(os.environ),
                            "files": files}) + "\n")
signal.signal(signal.SIGHUP, lambda s, fr: record("hup"))
signal.signal(signal.SIGTERM, lambda s, fr: sys.exit(0))
record("start")
if sys.argv[2:] == ["wait"]:
    while True:
        time.sleep(0.1)
'''


def setUpModule():
    global SERVER, TMP, SHM
    TMP = tempfile.mkdtemp(prefix="envssm-secret-files-")
    if fs_type("/dev/shm") != "tmpfs":
        raise unittest.SkipTest("/dev/shm is not tmpfs here")
    SHM = tempfile.mkdtemp(prefix="envssm-secret-files-", dir="/dev/shm")
    SERVER = motoserver.MotoServer()
    SERVER.start()


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    shutil.rmtree(TMP, ignore_errors=True)
    if SHM is not None:
        shutil.rmtree(SHM, ignore_errors=True)


def fs_type(path):
    p = subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True)
    return p.stdout.strip()


def records(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def listing(path):
    """Every entry under path with its type and mode: what 'nothing left
    behind' compares."""
    out = []
    for base, dirs, files in os.walk(path):
        for name in sorted(dirs + files):
            st = os.lstat(os.path.join(base, name))
            out.append((os.path.relpath(os.path.join(base, name), path), st.st_mode))
    return sorted(out)


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=TMP, prefix=self._testMethodName[:30] + "-")
        self.shm = tempfile.mkdtemp(dir=SHM, prefix=self._testMethodName[:30] + "-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)
        self.out = os.path.join(self.dir, "records")
        self.logs = []

    def tearDown(self):
        for log in self.logs:
            self.assertEqual(find_leaks(log), [], "envssm's log leaks a secret")

    def env(self, **extra):
        return SERVER.envssm_env(self.home, extra=extra)

    def run_envssm(self, args, env=None, program=True, timeout=60):
        argv = [ENVSSM, "-vvv"] + args
        if program:
            argv += ["--", PYTHON, "-I", "-S", "-c", PROGRAM, self.out]
        p = subprocess.run(argv, env=env or self.env(), capture_output=True, timeout=timeout)
        self.logs.append(p.stdout + p.stderr)
        return p


class SecretFiles(Case):
    def seed(self, prefix):
        token = secret_token(prefix + " password")
        api = secret_token(prefix + " api key")
        SERVER.put_parameters([(prefix + "/color", "red"),
                               (prefix + "/db_password", token, "SecureString"),
                               (prefix + "/api_key", api, "SecureString")])
        return token, api

    def test_secure_strings_become_files(self):
        token, api = self.seed("/sf1/app")
        d = os.path.join(self.shm, "app")
        p = self.run_envssm(["--secret-files", d, "/sf1/app"])
        self.assertEqual(p.returncode, 0, p.stderr)
        (rec,) = records(self.out)
        env = rec["env"]
        self.assertEqual(env["COLOR"], "red")  # a String stays a variable
        self.assertNotIn("DB_PASSWORD", env)
        self.assertNotIn("API_KEY", env)
        self.assertEqual(env["DB_PASSWORD_FILE"], os.path.join(d, "DB_PASSWORD"))
        self.assertEqual(rec["files"], {"DB_PASSWORD_FILE": token, "API_KEY_FILE": api})
        self.assertEqual(find_leaks(json.dumps({k: v for k, v in env.items()
                                                if not k.startswith("AWS_")})), [])
        # exec mode: the files stay for the program, private
        self.assertEqual(os.stat(d).st_mode & 0o7777, 0o700)
        for name in ("DB_PASSWORD", "API_KEY"):
            st = os.lstat(os.path.join(d, name))
            self.assertEqual(st.st_mode & 0o7777, 0o400)
            self.assertEqual(st.st_uid, os.geteuid())
        self.assertEqual(sorted(os.listdir(d)), ["API_KEY", "DB_PASSWORD"])

    def test_every_value_with_all(self):
        token, _ = self.seed("/sf2/app")
        d = os.path.join(self.shm, "app")
        p = self.run_envssm(["--secret-files", d, "--secret-files-all", "/sf2/app"])
        self.assertEqual(p.returncode, 0, p.stderr)
        (rec,) = records(self.out)
        self.assertNotIn("COLOR", rec["env"])
        self.assertEqual(rec["files"]["COLOR_FILE"], "red")
        self.assertEqual(rec["files"]["DB_PASSWORD_FILE"], token)
        # the variable form of the options
        os.unlink(self.out)
        p = self.run_envssm(["/sf2/app"], env=self.env(ENVSSM_SECRET_FILES=d,
                                                       ENVSSM_SECRET_FILES_ALL="true"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(records(self.out)[0]["files"]["COLOR_FILE"], "red")

    def test_references_and_json_fields(self):
        token = secret_token("reference password")
        SERVER.put_parameters([
            ("/sf3/plain", "just text"),
            ("/sf3/secret", token, "SecureString"),
            ("/sf3/db", json.dumps({"username": "app", "password": token}), "SecureString"),
            ("/sf3/expand/conn", json.dumps({"user": "app", "pass": token}), "SecureString"),
        ])
        d = os.path.join(self.shm, "app")
        env = self.env(PLAIN="ssm:///sf3/plain", SECRET="ssm:///sf3/secret",
                       DB_PASS="ssm:///sf3/db#password")
        p = self.run_envssm(["--secret-files", d, "--expand-json", "/sf3/expand"], env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        (rec,) = records(self.out)
        self.assertEqual(rec["env"]["PLAIN"], "just text")
        for name in ("SECRET", "DB_PASS", "CONN_PASS", "CONN_USER"):
            self.assertNotIn(name, rec["env"])
        self.assertEqual(rec["files"], {"SECRET_FILE": token, "DB_PASS_FILE": token,
                                        "CONN_PASS_FILE": token, "CONN_USER_FILE": "app"})

    def test_dry_run_names_the_files_and_writes_none(self):
        self.seed("/sf4/app")
        d = os.path.join(self.shm, "app")
        p = self.run_envssm(["--dry-run", "--secret-files", d, "/sf4/app"], program=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = sorted(p.stdout.decode().splitlines())
        self.assertEqual([line.split("\t")[0] for line in lines],
                         ["API_KEY_FILE", "COLOR", "DB_PASSWORD_FILE"])
        self.assertTrue(lines[2].endswith("\tfile " + os.path.join(d, "DB_PASSWORD")), lines)
        self.assertNotIn("file", lines[1])
        self.assertFalse(os.path.exists(d))

    def test_nothing_in_the_running_programs_environment(self):
        token, api = self.seed("/sf5/app")
        d = os.path.join(self.shm, "app")
        log = open(os.path.join(self.dir, "log"), "w+b")
        p = subprocess.Popen([ENVSSM, "-vvv", "--supervise", "--secret-files", d, "/sf5/app",
                              "--", PYTHON, "-I", "-S", "-c", PROGRAM, self.out, "wait"],
                             env=self.env(), stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while not records(self.out) and time.monotonic() < deadline:
                time.sleep(0.05)
            (rec,) = records(self.out)
            with open("/proc/%d/environ" % rec["pid"], "rb") as f:
                environ = f.read()
            self.assertIn(b"DB_PASSWORD_FILE=" + os.path.join(d, "DB_PASSWORD").encode(),
                          environ.split(b"\0"))
            self.assertNotIn(token.encode(), environ)
            self.assertNotIn(api.encode(), environ)
            # the access key the test hands envssm is inherited, as every variable is
            own = b"\0".join(v for v in environ.split(b"\0") if not v.startswith(b"AWS_"))
            self.assertEqual(find_leaks(own), [])
            # envssm itself, waiting, holds them in no variable either
            with open("/proc/%d/environ" % p.pid, "rb") as f:
                self.assertNotIn(token.encode(), f.read())
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=30)
            log.seek(0)
            self.logs.append(log.read())
            log.close()
        self.assertEqual(rc, 0)
        # a supervisor removes its files, and the directory it made
        self.assertFalse(os.path.exists(d))

    def test_no_override_keeps_the_inherited_value(self):
        self.seed("/sf6/app")
        d = os.path.join(self.shm, "app")
        p = self.run_envssm(["--no-override", "--secret-files", d, "/sf6/app"],
                            env=self.env(DB_PASSWORD="inherited"))
        self.assertEqual(p.returncode, 0, p.stderr)
        (rec,) = records(self.out)
        self.assertEqual(rec["env"]["DB_PASSWORD"], "inherited")
        self.assertNotIn("DB_PASSWORD_FILE", rec["env"])
        self.assertIn("API_KEY_FILE", rec["env"])
        self.assertEqual(sorted(os.listdir(d)), ["API_KEY"])
        # and by default the parameter wins: the inherited variable goes
        os.unlink(self.out)
        p = self.run_envssm(["--secret-files", d, "/sf6/app"],
                            env=self.env(DB_PASSWORD="inherited"))
        self.assertEqual(p.returncode, 0, p.stderr)
        (rec,) = records(self.out)
        self.assertNotIn("DB_PASSWORD", rec["env"])
        self.assertIn("DB_PASSWORD_FILE", rec["env"])
        self.assertIn(b"'DB_PASSWORD' from SSM overrides the inherited value", p.stderr)

    def test_require_is_met_by_a_file(self):
        self.seed("/sf7/app")
        d = os.path.join(self.shm, "app")
        p = self.run_envssm(["--require", "DB_PASSWORD,COLOR", "--secret-files", d, "/sf7/app"])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_envssm(["--require", "MISSING", "--secret-files", d + "2", "/sf7/app"])
        self.assertEqual(p.returncode, 125)
        self.assertFalse(os.path.exists(d + "2"))

    def test_collision_with_a_file_variable(self):
        token = secret_token("collision")
        SERVER.put_parameters([("/sf8/app/key", token, "SecureString"),
                               ("/sf8/app/key_file", "/somewhere")])
        d = os.path.join(self.shm, "app")
        p = self.run_envssm(["--secret-files", d, "/sf8/app"])
        self.assertEqual(p.returncode, 125)
        self.assertEqual(p.stderr.decode().splitlines()[-1],
                         "envssm: 'KEY_FILE' would be set twice: by a parameter and as the "
                         "file variable of a secret")
        self.assertFalse(os.path.exists(self.out))
        self.assertFalse(os.path.exists(d))

    def refused(self, d, args=(), contains=""):
        """envssm refuses d: 125, one line, nothing started, nothing changed."""
        env = self.env()
        before = listing(os.path.dirname(d))
        p = self.run_envssm(["--secret-files", d] + list(args) + ["/sf9/app"], env=env)
        self.assertEqual(p.returncode, 125, p.stderr)
        errors = [ln for ln in p.stderr.decode().splitlines() if not ln.startswith("envssm: ")
                  or not (": info: " in ln or ": debug: " in ln or ": trace: " in ln)]
        self.assertEqual(len(errors), 1, p.stderr)
        self.assertIn(contains, errors[0])
        self.assertFalse(os.path.exists(self.out), "the program was started")
        self.assertEqual(listing(os.path.dirname(d)), before, "something was left behind")
        return errors[0]

    def test_refusals(self):
        self.seed("/sf9/app")
        base = self.shm
        real = os.path.join(base, "real")
        os.mkdir(real, 0o700)
        os.symlink(real, os.path.join(base, "link"))
        self.refused(os.path.join(base, "link"), contains="is a symbolic link")
        wide = os.path.join(base, "wide")
        os.mkdir(wide)
        os.chmod(wide, 0o777)
        self.refused(wide, contains="writable by others (mode 0777)")
        os.chmod(wide, 0o770)
        self.refused(wide, contains="writable by others (mode 0770)")
        afile = os.path.join(base, "afile")
        open(afile, "w").close()
        self.refused(afile, contains="is not a directory")
        self.refused(os.path.join(base, "no", "such"), contains="No such file or directory")
        if os.geteuid() == 0:
            theirs = os.path.join(base, "theirs")
            os.mkdir(theirs, 0o700)
            os.chown(theirs, 65534, 65534)
            self.refused(theirs, contains="belongs to uid 65534")

    def test_disk_refused_unless_allowed(self):
        if fs_type(self.dir) in ("tmpfs", "ramfs"):
            self.skipTest("the temporary directory is on a memory file system here")
        self.seed("/sf9/app")
        d = os.path.join(self.dir, "app")
        line = self.refused(d, contains="not tmpfs or ramfs")
        self.assertIn("--secret-files-on-disk", line)
        p = self.run_envssm(["--secret-files", d, "--secret-files-on-disk", "/sf9/app"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(d)), ["API_KEY", "DB_PASSWORD"])

    def test_usage(self):
        for args, word in ((["--secret-files", "/dev/shm/x", "--format", "shell", "/x"],
                            "--format"),
                           (["--secret-files-all", "/x", "--", "true"], "--secret-files"),
                           (["--secret-files-on-disk", "/x", "--", "true"], "--secret-files"),
                           (["--on-change", "HUP", "--secret-files", "/dev/shm/x", "/x", "--",
                             "true"], "--watch"),
                           (["--watch", "5", "--on-change", "HUP", "/x", "--", "true"],
                            "--secret-files"),
                           (["--secret-files", "/", "/x", "--", "true"], "name a directory")):
            p = subprocess.run([ENVSSM] + args, env=self.env(), capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 125, args)
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
            self.assertIn(word.encode(), p.stderr)


def watcher(case, args, env=None):
    """envssm -vv ARGS -- PROGRAM (waiting) in the background, its log searched with
    the case's other logs."""
    return faultlib.Watcher(case, ["-vv"] + args, PROGRAM, case.out, env or case.env(),
                            os.path.join(case.dir, "envssm.log"), records,
                            program_args=["wait"], logs=case.logs)


class WatchedFiles(Case):
    def test_change_rewrites_and_restarts(self):
        v1 = secret_token("watched v1")
        gone = secret_token("watched removed")
        SERVER.put_parameters([("/sfw1/app/token", v1, "SecureString"),
                               ("/sfw1/app/old", gone, "SecureString"),
                               ("/sfw1/app/color", "red")])
        d = os.path.join(self.shm, "app")
        w = watcher(self, ["--watch", "2s", "--stop-timeout", "5", "--secret-files", d,
                           "/sfw1/app"])
        try:
            first = w.wait_for(1, 30)
            self.assertEqual(len(first), 1)
            self.assertEqual(first[0]["files"], {"TOKEN_FILE": v1, "OLD_FILE": gone})
            v2 = register_secret("watched v2", secret_token("watched v2"))
            SERVER.put_parameters([("/sfw1/app/token", v2, "SecureString")])
            SERVER.client("ssm").delete_parameter(Name="/sfw1/app/old")
            got = w.wait_for(2, 25)
            self.assertEqual(len(got), 2, "no restart after the change")
            self.assertNotEqual(got[0]["pid"], got[1]["pid"])
            self.assertEqual(got[1]["files"], {"TOKEN_FILE": v2})
            self.assertNotIn("OLD_FILE", got[1]["env"])
            # the removed parameter's file is gone, the changed one replaced
            self.assertEqual(sorted(os.listdir(d)), ["TOKEN"])
            with open(os.path.join(d, "TOKEN")) as f:
                self.assertEqual(f.read(), v2)
        finally:
            rc, log = w.stop()
        self.assertEqual(rc, 0, log)
        self.assertIn("restarting", log)
        self.assertFalse(os.path.exists(d), "files left after the watch ended")

    def signals_instead(self, path, args, env=None):
        """A watch asked by args or env to send HUP on a file-only change: a SecureString
        changing rewrites its file and signals the program, whose same pid rereads it;
        a String changing still restarts the program."""
        v1 = secret_token("reloaded v1 " + path)
        SERVER.put_parameters([(path + "/cert", v1, "SecureString"),
                               (path + "/color", "red")])
        d = os.path.join(self.shm, "app")
        w = watcher(self, ["--watch", "2s"] + args + ["--secret-files", d, path], env)
        try:
            self.assertEqual(len(w.wait_for(1, 30)), 1)
            v2 = register_secret("reloaded v2 " + path, secret_token("reloaded v2 " + path))
            SERVER.put_parameters([(path + "/cert", v2, "SecureString")])
            got = w.wait_for(2, 25)
            self.assertEqual(len(got), 2, "no signal after the change")
            self.assertEqual(got[1]["tag"], "hup")
            self.assertEqual(got[1]["pid"], got[0]["pid"])  # signalled, not restarted
            self.assertEqual(got[1]["files"], {"CERT_FILE": v2})
            # a String changed: the environment must change, so a restart
            SERVER.put_parameters([(path + "/color", "blue")])
            got = w.wait_for(3, 25)
            self.assertEqual(len(got), 3, "no restart after a variable changed")
            self.assertEqual(got[2]["tag"], "start")
            self.assertNotEqual(got[2]["pid"], got[0]["pid"])
            self.assertEqual(got[2]["env"]["COLOR"], "blue")
        finally:
            rc, log = w.stop()
        self.assertEqual(rc, 0, log)
        self.assertIn("files rewritten, signal %d" % signal.SIGHUP, log)
        self.assertFalse(os.path.exists(d), "files left after the watch ended")

    def test_on_change_signals_instead(self):
        self.signals_instead("/sfw2/app", ["--on-change", "HUP"])

    def test_on_change_from_the_variable(self):
        # no flag: were ENVSSM_ON_CHANGE ignored, the file-only change would restart
        # the program under a new pid instead of signalling it
        self.signals_instead("/sfw3/app", [], self.env(ENVSSM_ON_CHANGE="HUP"))

    def test_on_change_refuses_an_unknown_signal(self):
        # an unknown signal, from the flag or from ENVSSM_ON_CHANGE: 125 and one line
        # naming where it came from; the program never starts, no directory is made
        SERVER.put_parameters([("/sfw4/app/color", "red")])
        d = os.path.join(self.shm, "app")
        for args, extra, source in ((["--on-change", "NOPE"], {}, "--on-change"),
                                    ([], {"ENVSSM_ON_CHANGE": "NOPE"}, "ENVSSM_ON_CHANGE")):
            with self.subTest(source=source):
                p = self.run_envssm(["--watch", "2s"] + args + ["--secret-files", d, "/sfw4/app"],
                                    env=self.env(**extra), timeout=30)
                self.assertEqual(p.returncode, 125, p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertIn(b"invalid %s 'NOPE'" % source.encode(), p.stderr)
                self.assertFalse(os.path.exists(self.out), "the program was started")
                self.assertFalse(os.path.exists(d), "the directory was made")


@unittest.skipUnless(shutil.which("strace"), "strace is not installed (apt-get install strace)")
class StopBeforeTheProgram(Case):
    """SIGTERM after envssm placed the files and before the program started
    takes the files with it (exec mode, where they otherwise stay for the
    program). strace holds envssm at one point of that window, a delay
    injected into one system call, while the test sends the signal."""

    def stopped_at(self, prefix, strace_args, reached, path=None, mode=()):
        SERVER.put_parameters([(prefix + "/db_password", secret_token(prefix + " password"),
                                "SecureString")])
        d = os.path.join(self.shm, "files")
        before = listing(self.shm)
        env = self.env()
        if path is not None:
            env["PATH"] = path
        trace = os.path.join(self.dir, "strace.log")
        argv = (["strace", "-f", "-o", trace] + strace_args +
                [ENVSSM, "-vvv"] + list(mode) + ["--secret-files", d, prefix, "--",
                 "python3", "-I", "-S", "-c", PROGRAM, self.out])
        p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while not reached(d, trace) and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.02)
            self.assertTrue(reached(d, trace), "envssm never reached the delayed call")
            with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                os.kill(int(f.read().split()[0]), signal.SIGTERM)
            out, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.logs.append(out + err)
        with open(trace) as f:
            self.assertIn("(DELAYED)", f.read())
        self.assertEqual(p.returncode, 128 + signal.SIGTERM, err)
        self.assertIn(b"interrupted by SIGTERM before the program started", err)
        self.assertEqual(records(self.out), [], "the program started")
        self.assertFalse(os.path.exists(d), "the secret files outlived envssm")
        self.assertEqual(listing(self.shm), before)

    def test_while_placing(self):
        # the stop signals are held while the files are written and renamed
        # into place; the one held is delivered after, and cleans up
        def writing(d, trace):
            return os.path.isdir(d) and any(n.startswith(".envssm-") for n in os.listdir(d))
        self.stopped_at("/sfstop1/app", ["-e", "trace=renameat,renameat2",
                                         "-e", "inject=renameat,renameat2:delay_enter=3000000"],
                        writing)

    def test_while_placing_before_a_supervisor_starts(self):
        # --supervise and --watch remove their files at exit; a stop signal
        # before the supervisor has the signals ends envssm the same way
        def writing(d, trace):
            return os.path.isdir(d) and any(n.startswith(".envssm-") for n in os.listdir(d))
        for i, mode in enumerate((["--supervise"], ["--watch", "1h"])):
            with self.subTest(mode=mode[0]):
                self.stopped_at("/sfstop3/app%d" % i,
                                ["-e", "trace=renameat,renameat2",
                                 "-e", "inject=renameat,renameat2:delay_enter=3000000"],
                                writing, mode=mode)

    def test_while_looking_up_the_program(self):
        # an execve of the PATH search that fails: the signal mask and the
        # other dispositions are the program's already, the guard stays
        # until execve itself gives the program the default back
        missing = "/nonexistent/python3"

        def looking(d, trace):
            if not os.path.exists(os.path.join(d, "DB_PASSWORD")) or not os.path.exists(trace):
                return False
            with open(trace) as f:
                return missing in f.read()
        self.stopped_at("/sfstop2/app", ["-P", missing, "-e", "trace=execve",
                                         "-e", "inject=execve:delay_exit=3000000"],
                        looking, path="/nonexistent:" + os.path.dirname(PYTHON) + ":/usr/bin:/bin")


if __name__ == "__main__":
    unittest.main()
