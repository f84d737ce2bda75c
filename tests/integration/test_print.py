"""Print mode and dry run end to end: envssm fetches from a loopback fake and
writes the variables for their real consumers (sh/dash/bash eval,
python-dotenv, json, GitHub's $GITHUB_ENV file and masks, docker env-files),
byte for byte, to stdout or to an --output file written 0600 by atomic
rename. The program is never run, and envssm's stderr never holds a value."""

import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest

import faultlib
import test_formats as tf

PATH = "/print"
VALUES = {
    "QUOTES": "it's a \"quoted\" `tick` $HOME ${HOME} \\ back\\slash",
    "MULTI": "line one\nline two\n\ttabbed\n",
    "CR": "a\r\nb\rc",
    "UTF8": "na\u00efve \u2014 \u65e5\u672c\u8a9e \U0001F680",
    "EQUALS": "a=b==c",
    "EMPTY": "",
    "PERCENT": "100% %0A not a newline",
}


def seed():
    params = []
    for var, text in VALUES.items():
        value = faultlib.secret_token("print " + var) + " " + text if text else text
        VALUES[var] = value
        params.append({"Name": "%s/%s" % (PATH, var.lower()), "Type": "SecureString",
                       "Value": value})
    return params


PARAMS = seed()
NAMES = sorted(VALUES)

# A parameter whose name maps to a long variable name (past the 255 bytes
# print mode once refused), and one that references point at.
LONG_SEGS = ["seg%d-%s" % (i, "n" * 290) for i in range(3)]
LONG_PATH = "/printlong"
LONG_VAR = "_".join(LONG_SEGS).replace("-", "_").upper()
LONG_VALUE = faultlib.secret_token("print long name")
REF_VALUE = faultlib.secret_token("print long reference")
PARAMS += [{"Name": LONG_PATH + "/" + "/".join(LONG_SEGS), "Type": "String", "Value": LONG_VALUE},
           {"Name": "/printref/x", "Type": "SecureString", "Value": REF_VALUE}]
MAX_NAME = 4096  # the one name limit of exec mode, print mode and --require


class PrintCase(unittest.TestCase):
    def setUp(self):
        faultlib.require_binary()
        self.dir = tempfile.mkdtemp(prefix="envssm-print-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.fake = faultlib.FakeSSM(seed=[dict(p) for p in PARAMS])
        self.fake.start()
        self.addCleanup(self.fake.stop)
        self.env = faultlib.envssm_env(self.fake.url, self.dir)

    def run_print(self, args, env=None, rc=0, limit=30):
        """envssm ARGS with no command: print mode or a dry run."""
        p = subprocess.run([faultlib.ENVSSM] + list(args), env=env or self.env, cwd=self.dir,
                           capture_output=True, timeout=limit)
        res = Result(p.returncode, p.stdout, p.stderr)
        self.assertEqual(p.returncode, rc, res.describe())
        self.assertEqual(faultlib.find_leaks(p.stderr), [], "a value on stderr\n" + res.describe())
        return res


def proc_state(pid):
    """The state letter of a process (R, S, T, Z, ...), or "" once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def describe(self):
        return "exit %d\nstderr: %s" % (self.rc, self.err.decode(errors="replace"))


class TestFormats(PrintCase):
    def test_shell_in_three_shells(self):
        res = self.run_print(["--format", "shell", PATH])
        want = {k: v.encode() for k, v in VALUES.items()}
        for shell in (["sh"], ["dash"], ["bash"]):
            if shutil.which(shell[0]) is None:
                continue
            seen, exported = tf.run_shell(shell, res.out, NAMES)
            self.assertEqual(seen, want, shell)
            for k in NAMES:
                self.assertEqual(exported[k], want[k], (shell, k))

    def test_dotenv_output_file_0600_atomic(self):
        out = os.path.join(self.dir, "vars.env")
        with open(out, "w") as f:
            f.write("OLD=1\n")
        os.chmod(out, 0o644)
        before = os.stat(out).st_ino
        res = self.run_print(["--format", "dotenv", "--output", out, PATH])
        self.assertEqual(res.out, b"", "--output wrote to stdout too")
        st = os.stat(out)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertNotEqual(st.st_ino, before, "not replaced by rename")
        with open(out, "rb") as f:
            got = tf.read_dotenv(f.read())
        # python-dotenv reads text mode: CR survives only through the escapes
        self.assertEqual(got, VALUES)
        leftovers = [n for n in os.listdir(self.dir) if n.endswith(".tmp")]
        self.assertEqual(leftovers, [])

    def test_output_dev_stdout_is_written_in_place(self):
        before = os.lstat("/dev/stdout")
        res = self.run_print(["--format", "json", "--output", "/dev/stdout", PATH])
        # stdout is a pipe here: the values went down it
        self.assertEqual(json.loads(res.out.decode("utf-8")), VALUES)
        after = os.lstat("/dev/stdout")
        self.assertTrue(stat.S_ISLNK(after.st_mode), "/dev/stdout was replaced")
        self.assertEqual((after.st_ino, after.st_dev), (before.st_ino, before.st_dev))
        self.assertEqual([n for n in os.listdir("/dev") if n.endswith(".tmp")], [])

    def test_output_dev_stdout_redirected_to_a_file(self):
        """/dev/stdout leads to a file when the shell redirects stdout: envssm
        writes to its stdout as if there were no --output, with the shell's
        truncation (>) or appending (>>) and the file itself kept."""
        out = os.path.join(self.dir, "vars.json")
        for mode, before in (("wb", b""), ("ab", b"EARLIER\n")):
            with open(out, "wb") as f:
                f.write(b"OLD CONTENT THAT IS LONGER THAN NOTHING\n" if mode == "wb"
                        else before)
            ino = os.stat(out).st_ino
            with open(out, mode) as f:
                p = subprocess.run([faultlib.ENVSSM, "--format", "json", "--output",
                                    "/dev/stdout", PATH], env=self.env, cwd=self.dir,
                                   stdout=f, stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(faultlib.find_leaks(p.stderr), [])
            with open(out, "rb") as f:
                got = f.read()
            self.assertTrue(got.startswith(before), got[:80])
            self.assertEqual(json.loads(got[len(before):].decode("utf-8")), VALUES)
            self.assertEqual(os.stat(out).st_ino, ino, "the file was replaced")
            self.assertEqual(sorted(os.listdir(self.dir)), [".aws", "vars.json"])
        self.assertTrue(stat.S_ISLNK(os.lstat("/dev/stdout").st_mode))

    def test_output_dev_stdout_on_a_terminal(self):
        before = os.lstat("/dev/stdout")
        master, slave = os.openpty()
        try:
            tty = os.ttyname(slave)
            p = subprocess.Popen([faultlib.ENVSSM, "--format", "json", "--output",
                                  "/dev/stdout", PATH], env=self.env, cwd=self.dir,
                                 stdin=subprocess.DEVNULL, stdout=slave,
                                 stderr=subprocess.PIPE)
            os.close(slave)
            slave = -1
            got = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every writer has closed the terminal
                    break
                if not chunk:
                    break
                got += chunk
            err = p.communicate(timeout=30)[1]
            self.assertTrue(stat.S_ISCHR(os.stat(tty).st_mode), "the terminal was replaced")
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(faultlib.find_leaks(err), [])
        # the terminal turns each "\n" into "\r\n"
        self.assertEqual(json.loads(got.replace(b"\r\n", b"\n").decode("utf-8")), VALUES)
        after = os.lstat("/dev/stdout")
        self.assertEqual((after.st_ino, after.st_dev), (before.st_ino, before.st_dev))

    def test_output_character_device_is_written_in_place(self):
        before = os.stat("/dev/null")
        self.run_print(["--format", "shell", "--output", "/dev/null", PATH])
        after = os.stat("/dev/null")
        self.assertTrue(stat.S_ISCHR(after.st_mode), "/dev/null was replaced")
        self.assertEqual(after.st_rdev, before.st_rdev)

    def test_output_fifo_with_a_reader(self):
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo, 0o600)
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            self.run_print(["--format", "json", "--output", fifo, PATH])
            got = b""
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                got += chunk
        finally:
            os.close(fd)
        self.assertEqual(json.loads(got.decode("utf-8")), VALUES)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced")
        self.assertEqual(sorted(os.listdir(self.dir)), [".aws", "fifo"])

    def test_output_fifo_without_a_reader_fails_at_once(self):
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo, 0o600)
        res = self.run_print(["--format", "json", "--timeout", "30", "--output", fifo, PATH],
                             rc=125, limit=5)
        self.assertIn(b"no process has the FIFO open for reading", res.err)
        self.assertEqual(len(res.err.splitlines()), 1, res.describe())
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))

    def test_output_symlink_to_a_file_is_refused(self):
        other = os.path.join(self.dir, "other")
        os.mkdir(other)
        target = os.path.join(other, "vars.env")
        with open(target, "w") as f:
            f.write("OLD=1\n")
        link = os.path.join(self.dir, "link.env")
        os.symlink(os.path.join("other", "vars.env"), link)
        res = self.run_print(["--format", "dotenv", "--output", link, PATH], rc=125)
        self.assertIn(b"a symbolic link to a file; name the file itself", res.err)
        self.assertEqual(len(res.err.splitlines()), 1, res.describe())
        self.assertEqual(os.readlink(link), os.path.join("other", "vars.env"),
                         "the symlink was replaced")
        with open(target) as f:
            self.assertEqual(f.read(), "OLD=1\n", "the symlink was followed")
        self.assertEqual(sorted(os.listdir(self.dir)), [".aws", "link.env", "other"])
        self.assertEqual(os.listdir(other), ["vars.env"])

    def test_output_dangling_symlink_is_refused(self):
        link = os.path.join(self.dir, "link.env")
        os.symlink("nowhere/vars.env", link)
        os.mkdir(os.path.join(self.dir, "nowhere"))
        res = self.run_print(["--format", "dotenv", "--output", link, PATH], rc=125)
        self.assertIn(b"a symbolic link to nothing", res.err)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(os.listdir(os.path.join(self.dir, "nowhere")), [])

    def test_github_env_symlink_is_refused(self):
        target = os.path.join(self.dir, "github_env")
        link = os.path.join(self.dir, "link")
        os.symlink("github_env", link)
        env = dict(self.env, GITHUB_ENV=link)
        # to nothing: never followed into a new file
        res = self.run_print(["--format", "github", PATH], env=env, rc=125)
        self.assertIn(b"unable to write to '%s': a symbolic link" % link.encode(), res.err)
        self.assertFalse(os.path.exists(target), "a new file at the end of the symlink")
        # to a file: not followed either
        with open(target, "w") as f:
            f.write("EARLIER=kept\n")
        res = self.run_print(["--format", "github", PATH], env=env, rc=125)
        self.assertIn(b"a symbolic link", res.err)
        self.assertTrue(os.path.islink(link))
        with open(target) as f:
            self.assertEqual(f.read(), "EARLIER=kept\n")

    def test_stop_signal_while_writing_leaves_no_temporary_file(self):
        """SIGTERM between the temporary file's creation and its rename: envssm
        stopped (SIGSTOP) once the file shows up, then SIGTERM and SIGCONT."""
        big = "/big"
        fake = faultlib.FakeSSM(seed=[
            {"Name": "%s/v%03d" % (big, i), "Type": "SecureString",
             "Value": faultlib.secret_token("print big %d" % i) + "x" * 4000}
            for i in range(250)])
        fake.start()
        self.addCleanup(fake.stop)
        env = faultlib.envssm_env(fake.url, self.dir)
        out = os.path.join(self.dir, "vars.env")
        with open(out, "w") as f:
            f.write("OLD=1\n")
        caught = None
        for _ in range(40):
            p = subprocess.Popen([faultlib.ENVSSM, "--format", "dotenv", "--output", out, big],
                                 env=env, cwd=self.dir, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                caught = self.stop_at_temporary_file(p)
                err = p.communicate(timeout=30)[1]
            finally:
                faultlib.kill_by_pid(p)
            if caught:
                break
            with open(out, "w") as f:
                f.write("OLD=1\n")
        self.assertTrue(caught, "never caught envssm with its temporary file")
        self.assertEqual(p.returncode, 128 + signal.SIGTERM, err)
        self.assertEqual(faultlib.find_leaks(err), [])
        self.assertEqual([n for n in os.listdir(self.dir) if n.endswith(".tmp")], [],
                         "a temporary file holding the values was left behind")
        with open(out) as f:
            self.assertEqual(f.read(), "OLD=1\n", "the output was replaced all the same")

    def stop_at_temporary_file(self, p):
        """Stop p once its temporary file exists; if it still does once p is
        stopped, send SIGTERM before SIGCONT and return True."""
        while p.poll() is None:
            if not any(n.endswith(".tmp") for n in os.listdir(self.dir)):
                continue
            os.kill(p.pid, signal.SIGSTOP)
            while p.poll() is None and proc_state(p.pid) != "T":
                time.sleep(0.001)
            there = any(n.endswith(".tmp") for n in os.listdir(self.dir))
            if there:
                os.kill(p.pid, signal.SIGTERM)
            os.kill(p.pid, signal.SIGCONT)
            return there
        return False

    def test_json(self):
        res = self.run_print(["--format", "json", PATH])
        self.assertEqual(json.loads(res.out.decode("utf-8")), VALUES)

    def test_github_masks_first_then_env_file(self):
        gh = os.path.join(self.dir, "github_env")
        with open(gh, "w") as f:
            f.write("EARLIER=kept\n")
        env = dict(self.env, GITHUB_ENV=gh)
        res = self.run_print(["--format", "github", PATH], env=env)
        masks, warnings, other = tf.github_masks_read(res.out)
        self.assertEqual(other, [], "stdout holds more than masks")
        for var, value in VALUES.items():
            self.assertTrue(tf.needed_masks(value) <= masks, var)
        with open(gh, "rb") as f:
            got = tf.github_env_read(f.read())
        self.assertEqual(got.pop("EARLIER"), "kept", "$GITHUB_ENV was not appended to")
        self.assertEqual(got, VALUES)

    def test_docker_refuses_newlines_naming_the_variable(self):
        out = os.path.join(self.dir, "docker.env")
        res = self.run_print(["--format", "docker", "--output", out, PATH], rc=125)
        # the first variable (in name order) whose value holds a line break
        self.assertIn(b"cannot print 'CR' as docker", res.err)
        self.assertIn(b"newline", res.err)
        self.assertFalse(os.path.exists(out), "a refused format still wrote its file")

    def test_reference_in_print_mode(self):
        env = dict(self.env, FROM_REF="ssm://%s/utf8" % PATH)
        res = self.run_print(["--format", "json", PATH], env=env)
        got = json.loads(res.out.decode("utf-8"))
        self.assertEqual(got["FROM_REF"], VALUES["UTF8"])


class TestNameLengths(PrintCase):
    """Print mode writes every name exec mode sets, up to the one limit, and
    refuses what is past it: nothing is left out while exiting 0."""

    def test_long_parameter_name(self):
        res = self.run_print(["--format", "json", LONG_PATH])
        self.assertGreater(len(LONG_VAR), 255)
        self.assertEqual(json.loads(res.out.decode()), {LONG_VAR: LONG_VALUE})

    def test_long_reference_names(self):
        for n in (1100, MAX_NAME):
            with self.subTest(length=n):
                env = dict(self.env, **{"R" * n: "ssm:///printref/x"})
                res = self.run_print(["--format", "json"], env=env)
                self.assertEqual(json.loads(res.out.decode()), {"R" * n: REF_VALUE})

    def test_reference_name_over_the_limit(self):
        env = dict(self.env, **{"R" * (MAX_NAME + 1): "ssm:///printref/x"})
        res = self.run_print(["--format", "json"], env=env, rc=125)
        self.assertEqual(res.out, b"")
        self.assertIn(b"a name longer than 4096 bytes", res.err)

    def test_require(self):
        env = dict(self.env, **{"R" * MAX_NAME: "ssm:///printref/x"})
        self.run_print(["--format", "json", "--require", "R" * MAX_NAME, PATH], env=env)
        for name, why in (("Q" * 300, b"required variables are not set: QQQ"),
                          ("Q" * MAX_NAME, b"required variables are not set: QQQ"),
                          ("Q" * (MAX_NAME + 1), b"invalid --require name 'QQQ")):
            with self.subTest(length=len(name)):
                res = self.run_print(["--format", "json", "--require", name, PATH], rc=125)
                self.assertEqual(res.out, b"")
                self.assertIn(why, res.err)
                self.assertEqual(len(res.err.splitlines()), 1, res.describe())


class TestDryRun(PrintCase):
    def test_names_types_versions_no_values(self):
        res = self.run_print(["--dry-run", PATH])
        self.assertEqual(faultlib.find_leaks(res.out), [], "a value in the dry run\n" +
                         res.describe())
        lines = res.out.decode().splitlines()
        self.assertEqual([l.split("\t")[0] for l in lines], NAMES)
        for line in lines:
            name, param, typ, version = line.split("\t")[:4]
            self.assertEqual(param, "%s/%s" % (PATH, name.lower()))
            self.assertEqual(typ, "SecureString")
            self.assertRegex(version, r"^version [0-9]+$")


if __name__ == "__main__":
    unittest.main()
