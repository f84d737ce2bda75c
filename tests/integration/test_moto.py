"""envssm against moto_server with signature checking on.

Run with `python3 tests/integration/run.py [--envssm PATH]`. One moto_server serves
the whole module; each test class owns its own parameter path prefixes.

How the program's environment is observed: envssm execs a Python that copies
/proc/self/environ (the exact envp it was given, duplicates included) into a file
named on its command line; the file existing also proves the program ran. Nothing the
program prints is mixed into envssm's output, which is collected from every run (all
with -v unless a test needs the quiet form too) and checked for leaked secrets.
"""

import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import shutil
import signal
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoserver  # noqa: E402
from motoserver import REGION, Credentials, secret_token, find_leaks  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
PYTHON = os.path.realpath(sys.executable)
OTHER_REGION = "eu-west-1"
RUN_TIMEOUT_S = 60
# ENVSSM_QUICK=1 (make valgrind): fewer runs of the same code paths.
QUICK = os.environ.get("ENVSSM_QUICK") == "1"

# The program envssm runs to show its environment: envp verbatim into argv[1].
DUMP_ENV = ("import sys\n"
            "d = open('/proc/self/environ', 'rb').read()\n"
            "open(sys.argv[1], 'wb').write(d)\n")
# The program for exec hygiene: pid, argv, open descriptors and envp into argv[1] as JSON.
PROBE = ("import os, sys, json\n"
         "fds = {}\n"
         "for fd in os.listdir('/proc/self/fd'):\n"
         "    try: fds[fd] = os.readlink('/proc/self/fd/' + fd)\n"
         "    except OSError: pass\n"
         "env = open('/proc/self/environ', 'rb').read().hex()\n"
         "json.dump({'pid': os.getpid(), 'argv': sys.argv[2:], 'fds': fds, 'environ': env},"
         " open(sys.argv[1], 'w'))\n")
# Header material that must never show up in envssm's output.
FORBIDDEN = [b"AWS4-HMAC-SHA256", b"Signature=", b"Credential=", b"X-Amz-Security-Token"]

SERVER = None
TMP = None
DEAD_SOCKET = None   # bound, never listening: connections to it are refused
DEAD_URL = None
HANG_SOCKET = None   # listening, never accepting: requests get no answer
HANG_URL = None
RUNS = []            # every envssm run: dict(test, argv, rc, out, err)
# When the binary under test is a wrapper script (make valgrind's), what the wrapper
# itself adds to every program's environment and descriptors; empty for a real binary.
NOISE_NAMES = set()
NOISE_FDS = set()
_runs_lock = threading.Lock()


def setUpModule():
    global SERVER, TMP, DEAD_SOCKET, DEAD_URL, HANG_SOCKET, HANG_URL
    if not (os.path.isfile(ENVSSM) and os.access(ENVSSM, os.X_OK)):
        raise RuntimeError("envssm binary not found or not executable: %s (run make)" % ENVSSM)
    TMP = tempfile.mkdtemp(prefix="envssm-it-")
    try:
        DEAD_SOCKET = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        DEAD_SOCKET.bind(("127.0.0.1", 0))
        DEAD_URL = "http://127.0.0.1:%d" % DEAD_SOCKET.getsockname()[1]
        HANG_SOCKET = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        HANG_SOCKET.bind(("127.0.0.1", 0))
        HANG_SOCKET.listen(64)
        HANG_URL = "http://127.0.0.1:%d" % HANG_SOCKET.getsockname()[1]
        SERVER = motoserver.MotoServer().start()
        with open(ENVSSM, "rb") as f:
            if f.read(4) != b"\x7fELF":
                calibrate_wrapper()
    except BaseException:
        tearDownModule()  # unittest skips it when setUpModule fails
        raise


def probe_fds(data):
    return {fd: t for fd, t in data["fds"].items() if not t.startswith("/proc/")}


def calibrate_wrapper():
    """Learn what a wrapper around envssm adds by itself, from an empty fetch."""
    home = tempfile.mkdtemp(dir=TMP, prefix="calibrate-")
    env = SERVER.envssm_env(home)
    results = []
    for argv in ([ENVSSM, "--allow-empty", "/envssm-calibration-empty", "--"], []):
        out = os.path.join(home, "probe.%d" % len(results))
        subprocess.run(argv + [PYTHON, "-I", "-S", "-c", PROBE, out], env=env, cwd=home,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT_S, check=True)
        with open(out) as f:
            results.append(json.load(f))
    wrapped, direct = results
    names = {n.decode() for n, _ in parse_environ(bytes.fromhex(wrapped["environ"]))}
    NOISE_NAMES.update(names - set(env))
    NOISE_FDS.update(set(probe_fds(wrapped)) - set(probe_fds(direct)))
    print("\n[wrapper %s adds variables %s and descriptors %s by itself; tolerated]"
          % (ENVSSM, sorted(NOISE_NAMES), sorted(NOISE_FDS)), file=sys.stderr)


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    for sock in (DEAD_SOCKET, HANG_SOCKET):
        if sock is not None:
            sock.close()
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


def parse_environ(data):
    """envp bytes -> list of (name, value) bytes pairs, in order."""
    entries = data.split(b"\0")
    if entries and entries[-1] == b"":
        entries.pop()
    pairs = []
    for e in entries:
        name, sep, value = e.partition(b"=")
        pairs.append((name, value if sep else None))
    return pairs


class Run:
    def __init__(self, argv, rc, out, err, pid):
        self.argv, self.rc, self.out, self.err, self.pid = argv, rc, out, err, pid

    def describe(self):
        return ("argv: %s\nexit: %s\nstdout: %r\nstderr:\n%s"
                % (" ".join(self.argv), self.rc, self.out[-2000:],
                   self.err.decode("utf-8", "replace")[-4000:]))


class EnvssmCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=TMP, prefix=self._testMethodName[:40] + "-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(os.path.join(self.home, ".aws"))
        self._n = 0

    # -- running envssm --------------------------------------------------

    def env(self, creds="admin", region=REGION, **extra):
        return SERVER.envssm_env(self.home, creds=creds, region=region, extra=extra)

    def run_envssm(self, args, env=None, verbose=True, check_leaks=True, **popen):
        """Run envssm (with -v first unless verbose=False); record and leak-check its output."""
        env = self.env() if env is None else env
        motoserver.check_env_pinned(env)
        argv = [ENVSSM] + (["-v"] if verbose else []) + list(args)
        p = subprocess.Popen(argv, env=env, cwd=self.dir, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
        try:
            out, err = p.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            self.fail("envssm did not finish within %d s: %s" % (RUN_TIMEOUT_S, " ".join(argv)))
        run = Run(argv, p.returncode, out, err, p.pid)
        with _runs_lock:
            RUNS.append({"test": self.id(), "argv": argv, "rc": p.returncode, "out": out, "err": err})
        if check_leaks:
            self.assert_no_leaks(run)
        return run

    def assert_no_leaks(self, run):
        output = run.out + run.err
        leaks = find_leaks(output)
        leaks += [f.decode() for f in FORBIDDEN if f in output]
        if leaks:
            self.fail("envssm's own output leaks %s\n%s" % (", ".join(leaks), run.describe()))

    def out_file(self):
        self._n += 1
        return os.path.join(self.dir, "environ.%d" % self._n)

    def run_dump(self, args, env=None, verbose=True):
        """envssm ARGS -- (dump envp); returns (run, {name: value} or None if not run)."""
        out = self.out_file()
        run = self.run_envssm(list(args) + ["--", PYTHON, "-I", "-S", "-c", DUMP_ENV, out],
                              env=env, verbose=verbose)
        if not os.path.exists(out):
            return run, None
        with open(out, "rb") as f:
            pairs = parse_environ(f.read())
        names = [n for n, _ in pairs]
        dups = sorted({n for n in names if names.count(n) > 1})
        self.assertEqual(dups, [], "names appear more than once in envp\n" + run.describe())
        self.assertTrue(all(v is not None for _, v in pairs), "envp entry without '='")
        return run, {n.decode("utf-8", "surrogateescape"): v for n, v in pairs}

    # -- assertions ------------------------------------------------------

    def fetch(self, args, env=None, verbose=True):
        """Run a dump that must succeed; returns (envp dict, names envssm added)."""
        env = self.env() if env is None else env
        run, got = self.run_dump(args, env=env, verbose=verbose)
        self.assertEqual(run.rc, 0, "envssm failed\n" + run.describe())
        self.assertIsNotNone(got, "the program did not run\n" + run.describe())
        added = {k: v for k, v in got.items() if k not in env and k not in NOISE_NAMES}
        return got, added, run

    def assert_fetched(self, args, expected, env=None, verbose=True):
        """expected: {NAME: str value}. The names envssm added must be exactly these,
        and every inherited variable must reach the program unchanged."""
        env = self.env() if env is None else env
        got, added, run = self.fetch(args, env=env, verbose=verbose)
        want = {k: v.encode("utf-8") for k, v in expected.items()}
        self.assertEqual(sorted(added), sorted(want), "added names differ\n" + run.describe())
        for k, v in want.items():
            self.assertEqual(added[k], v, "value of %s differs\n%s" % (k, run.describe()))
        for k, v in env.items():
            if k not in NOISE_NAMES:
                self.assertEqual(got.get(k), v.encode(), "inherited %s dropped or changed\n%s"
                                 % (k, run.describe()))
        return got, run

    def assert_fails(self, args, needles=(), env=None, status=125, command=None):
        """ARGS must fail with `status` before the program runs, quiet and verbose.

        Quiet: stderr is exactly one line starting 'envssm: ' that contains every
        needle. Verbose: some 'envssm: ' line contains every needle."""
        runs = []
        for verbose in ((False,) if QUICK else (False, True)):
            out = self.out_file()
            cmd = command or [PYTHON, "-I", "-S", "-c", DUMP_ENV, out]
            run = self.run_envssm(list(args) + ["--"] + cmd, env=env, verbose=verbose)
            ctx = run.describe()
            self.assertEqual(run.rc, status, "wrong exit status\n" + ctx)
            self.assertFalse(os.path.exists(out), "the program ran\n" + ctx)
            self.assertEqual(run.out, b"", "envssm wrote to stdout\n" + ctx)
            lines = run.err.decode("utf-8", "replace").splitlines()
            if not verbose:
                self.assertTrue(run.err.endswith(b"\n") and len(lines) == 1,
                                "stderr is not exactly one line\n" + ctx)
                self.assertTrue(lines[0].startswith("envssm: "), "message lacks 'envssm: '\n" + ctx)
            hits = [l for l in lines if l.startswith("envssm: ") and all(n in l for n in needles)]
            self.assertTrue(hits, "no 'envssm: ' line names all of %r\n%s" % (list(needles), ctx))
            runs.append(run)
        return runs


# ---------------------------------------------------------------------------
# 1. Names, --env / ENVSSM_ENV, whole-segment prefixes


class Test01Names(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        cls.prod = {
            "/production/app/django/secret-key": ("DJANGO_SECRET_KEY", "SecureString"),
            "/production/app/db/host": ("DB_HOST", "String"),
            "/production/app/db/port": ("DB_PORT", "String"),
            "/production/app/top": ("TOP", "String"),
            "/production/app/9lives": ("_9LIVES", "String"),
            "/production/app/Mixed.Case/x-y": ("MIXED_CASE_X_Y", "String"),
            "/production/app/a/b/c/deep_name": ("A_B_C_DEEP_NAME", "String"),
        }
        cls.direct = {"TOP", "_9LIVES"}
        cls.values = {}
        params = []
        for name, (var, typ) in cls.prod.items():
            v = secret_token("names " + name)
            cls.values[var] = v
            params.append((name, v, typ))
        cls.outside = {}
        for name in ["/production/app2/django/secret-key", "/production/application/x",
                     "/production/ap/x", "/production/apple", "/production/top-level",
                     "/staging/app/db/host", "/app2/elsewhere", "/app-other/x"]:
            cls.outside[name] = secret_token("outside " + name)
            params.append((name, cls.outside[name], "String"))
        cls.staging_key = secret_token("staging secret-key")
        params.append(("/staging/app/django/secret-key", cls.staging_key, "SecureString"))
        cls.plain_app = secret_token("/app/only-here")
        params.append(("/app/only-here", cls.plain_app, "String"))
        SERVER.put_parameters(params)

    def assert_prod(self, args, env=None, verbose=True):
        got, run = self.assert_fetched(args, self.values, env=env, verbose=verbose)
        for name, v in self.outside.items():
            self.assertNotIn(v.encode(), b"\0".join(got.values()), "%s was pulled in" % name)
        return got, run

    def test_nested_paths_map_to_names(self):
        self.assert_prod(["/production/app"])

    def test_env_flag_with_leading_slash(self):
        self.assert_prod(["--env", "production", "/app"])

    def test_env_flag_without_leading_slash(self):
        self.assert_prod(["--env", "production", "app"])

    def test_env_short_flag(self):
        self.assert_prod(["-e", "production", "/app"])

    def test_envssm_env_variable(self):
        self.assert_prod(["/app"], env=self.env(ENVSSM_ENV="production"))

    def test_env_flag_beats_variable(self):
        self.assert_prod(["--env", "production", "/app"], env=self.env(ENVSSM_ENV="staging"))

    def test_other_environment(self):
        self.assert_fetched(["/app"], {"DJANGO_SECRET_KEY": self.staging_key,
                                       "DB_HOST": self.outside["/staging/app/db/host"]},
                            env=self.env(ENVSSM_ENV="staging"))

    def test_prefix_matches_whole_segments(self):
        # /app never pulls /app2/... or /app-other/...
        self.assert_fetched(["/app"], {"ONLY_HERE": self.plain_app})

    def test_slashes_normalised(self):
        self.assert_prod(["/production/app/"])
        self.assert_prod(["//production//app"])
        self.assert_prod(["--env", "/production/", "app/"])

    def test_long_and_deep_name(self):
        # 15 levels, a name of about 950 characters (the SSM limit is 1011 with the ARN prefix)
        segs = ["deep"] + ["level%02d-%s" % (i, "x" * 58) for i in range(14)]
        name = "/" + "/".join(segs)
        self.assertLess(len(name), 1011 - len("arn:aws:ssm:us-east-1:123456789012:parameter/"))
        v = secret_token("deep name")
        SERVER.put_parameter(name, v)
        var = "_".join(segs[1:]).replace("-", "_").upper()
        self.assert_fetched(["/deep"], {var: v})

    def test_no_recursive(self):
        want = {k: v for k, v in self.values.items() if k in self.direct}
        self.assert_fetched(["--no-recursive", "/production/app"], want)

    def test_quiet_on_success(self):
        _, run = self.assert_prod(["/production/app"], verbose=False)
        self.assertEqual(run.err, b"", "stderr not empty on a plain success\n" + run.describe())
        self.assertEqual(run.out, b"", "stdout not empty\n" + run.describe())

    def test_verbose_names_the_path(self):
        _, run = self.assert_prod(["/production/app"], verbose=True)
        self.assertIn(b"/production/app", run.err, "-v shows no progress\n" + run.describe())

    def test_json_log_lines(self):
        _, run = self.assert_prod(["--log-format", "json", "/production/app"], verbose=True)
        lines = run.err.decode("utf-8").splitlines()
        self.assertTrue(lines, "no JSON progress lines with -v\n" + run.describe())
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                self.fail("not a JSON line: %r\n%s" % (line, run.describe()))
            self.assertIsInstance(obj, dict)


class Test01bNameLengths(EnvssmCase):
    """One name limit, 4096 bytes, for what exec mode sets and what --require checks
    (print mode: test_print.TestNameLengths)."""
    MAX = 4096

    @classmethod
    def setUpClass(cls):
        cls.value = secret_token("name lengths reference")
        cls.other = secret_token("name lengths other")
        SERVER.put_parameters([("/nlen/x", cls.value), ("/nlen2/y", cls.other)])

    def ref_env(self, length):
        return self.env(**{"R" * length: "ssm:///nlen/x"})

    def test_reference_at_the_limit_is_set(self):
        got, _, run = self.fetch([], env=self.ref_env(self.MAX))
        self.assertEqual(got.get("R" * self.MAX), self.value.encode(), run.describe())

    def test_reference_over_the_limit_is_an_error(self):
        self.assert_fails([], ["a name longer than 4096 bytes"], env=self.ref_env(self.MAX + 1))

    def test_require_at_the_limit(self):
        self.fetch(["--require", "R" * self.MAX, "/nlen2"], env=self.ref_env(self.MAX))
        self.assert_fails(["--require", "Q" * self.MAX, "/nlen2"],
                          ["required variables are not set: QQQQ"])

    def test_require_long_names_are_checked(self):
        # past 255 bytes a --require name used to be skipped, and the check passed
        self.assert_fails(["--require", "Q" * 300, "/nlen2"],
                          ["required variables are not set: " + "Q" * 300])
        self.assert_fails(["--require", "Q" * (self.MAX + 1), "/nlen2"],
                          ["invalid --require name 'QQQQ", "longer than 4096 bytes"])
        self.assert_fails(["--pristine", "--keep", "Q" * (self.MAX + 1), "/nlen2"],
                          ["invalid --keep name 'QQQQ", "longer than 4096 bytes"])


# ---------------------------------------------------------------------------
# 2. Parameter types


class Test02Types(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        cls.plain = secret_token("types plain")
        cls.items = [secret_token("types list %d" % i) for i in range(3)]
        cls.secure = secret_token("types secure")
        cls.secure_custom = secret_token("types secure custom key")
        SERVER.put_parameters([
            ("/types/plain", cls.plain, "String"),
            ("/types/list", ",".join(cls.items), "StringList"),
            ("/types/secure", cls.secure, "SecureString"),
        ])
        SERVER.put_parameter("/types/secure-custom", cls.secure_custom, "SecureString",
                             key_id="alias/envssm-test")

    def test_types(self):
        got, _ = self.assert_fetched(["/types"], {
            "PLAIN": self.plain,
            "LIST": ",".join(self.items),
            "SECURE": self.secure,
            "SECURE_CUSTOM": self.secure_custom,
        })
        for k in ("SECURE", "SECURE_CUSTOM"):
            self.assertFalse(got[k].startswith(b"kms:"), "%s not decrypted" % k)


# ---------------------------------------------------------------------------
# 3. Awkward values, byte for byte


class Test03Values(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        def m(label):
            return secret_token("values " + label)
        big_head = m("4096")
        cls.values = {
            "SPACES": "  %s with  two  spaces and trailing  " % m("spaces"),
            "QUOTES": "%s it's \"double\" and 'single'" % m("quotes"),
            "EQUALS": "%s=a=b==" % m("equals"),
            "DOLLAR": "%s $HOME ${PATH} $(id) $$ $1" % m("dollar"),
            "BACKTICKS": "%s `id` ``" % m("backticks"),
            "NEWLINES": "%s\nline 2\r\nline 3\n\n" % m("newlines"),
            "BACKSLASHES": "%s \\ \\\\ \\n \\t \\0 \\x41 \\" % m("backslashes"),
            "TABS": "\t%s\tcol\t" % m("tabs"),
            "UTF8": "%s naïve — 日本語 🚀" % m("utf8"),
            "JSONISH": '%s {"k": [1, 2], "s": "%%s %%n"} <xml a="b"/> &amp; # ; | * ? ~' % m("jsonish"),
            "BIG": big_head + "".join("0123456789abcdef"[i % 16] for i in range(4096 - len(big_head))),
        }
        assert len(cls.values["BIG"].encode()) == 4096
        SERVER.put_parameters([("/values/" + k.lower(), v, "SecureString" if i % 2 else "String")
                               for i, (k, v) in enumerate(cls.values.items())])

    def test_values_byte_exact(self):
        self.assert_fetched(["/values"], self.values)


# ---------------------------------------------------------------------------
# 4. Pagination


class Test04Pages(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        cls.sets = {}
        params = []
        for prefix, count in (("/many57", 57), ("/many60", 60)):
            want = {}
            for i in range(count):
                # a third of them one level deeper, so pages mix depths
                rel = "group%d/p%02d" % (i % 3, i) if i % 3 == 0 else "p%02d" % i
                v = secret_token("%s %s" % (prefix, rel))
                want[rel.replace("/", "_").upper()] = v
                params.append(("%s/%s" % (prefix, rel), v, "SecureString" if i % 4 == 0 else "String"))
            cls.sets[prefix] = want
        SERVER.put_parameters(params)

    def test_57_parameters(self):
        self.assertEqual(len(self.sets["/many57"]), 57)
        self.assert_fetched(["/many57"], self.sets["/many57"])

    def test_60_parameters_empty_last_page(self):
        # moto answers the sixth full page with a NextToken, then an empty page.
        self.assert_fetched(["/many60"], self.sets["/many60"])

    def test_both(self):
        self.assert_fetched(["/many57", "/many60"], {**self.sets["/many57"], **self.sets["/many60"]})

    def test_full_page_of_8k_values(self):
        # Advanced-tier values (8 KB) that JSON escapes heavily: one page of ten is
        # several hundred KB on the wire, and all of it is legitimate.
        fillers = ["\"\\", "\n\t", "日本", "\x01\x1f", "é🚀"]
        want, params = {}, []
        for i in range(10):
            head = secret_token("8k %d" % i) + " "
            fill = fillers[i % len(fillers)]
            v = head
            while len((v + fill).encode()) <= 8192:
                v += fill
            v += "x" * (8192 - len(v.encode()))
            self.assertEqual(len(v.encode()), 8192)
            want["V%d" % i] = v
            params.append(("/big8k/v%d" % i, v))
        client = SERVER.client("ssm")
        for name, v in params:
            client.put_parameter(Name=name, Value=v, Type="SecureString", Tier="Advanced", Overwrite=True)
        self.assert_fetched(["/big8k"], want)


# ---------------------------------------------------------------------------
# 5. Several PATHs overlaid


class Test05Overlay(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        cls.base_shared = secret_token("overlay base shared")
        cls.prod_shared = secret_token("overlay prod shared")
        cls.only_base = secret_token("overlay only base")
        cls.only_prod = secret_token("overlay only prod")
        cls.third = secret_token("overlay third")
        SERVER.put_parameters([
            ("/overlay/base/shared", cls.base_shared),
            ("/overlay/base/only-base", cls.only_base),
            ("/overlay/prod/shared", cls.prod_shared),
            ("/overlay/prod/only-prod", cls.only_prod),
            ("/overlay/third/db/shared", cls.third),
        ])

    def test_later_path_wins(self):
        self.assert_fetched(["/overlay/base", "/overlay/prod"], {
            "SHARED": self.prod_shared, "ONLY_BASE": self.only_base, "ONLY_PROD": self.only_prod})

    def test_order_matters(self):
        self.assert_fetched(["/overlay/prod", "/overlay/base"], {
            "SHARED": self.base_shared, "ONLY_BASE": self.only_base, "ONLY_PROD": self.only_prod})

    def test_names_relative_to_each_path(self):
        self.assert_fetched(["/overlay/prod", "/overlay/third/db"], {
            "SHARED": self.third, "ONLY_PROD": self.only_prod})

    def test_overlay_with_env(self):
        self.assert_fetched(["--env", "overlay", "base", "/prod"], {
            "SHARED": self.prod_shared, "ONLY_BASE": self.only_base, "ONLY_PROD": self.only_prod})


# ---------------------------------------------------------------------------
# 6. Overriding inherited values


class Test06Override(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        cls.fetched = secret_token("override fetched")
        cls.other = secret_token("override other")
        cls.inherited = secret_token("override inherited")
        cls.second = secret_token("override second path")
        SERVER.put_parameters([("/override/greeting", cls.fetched),
                               ("/override/other", cls.other),
                               ("/override2/greeting", cls.second)])

    def check_override(self, verbose):
        env = self.env(GREETING=self.inherited)
        got, added, run = self.fetch(["/override"], env=env, verbose=verbose)
        self.assertEqual(got["GREETING"], self.fetched.encode(), "not overridden\n" + run.describe())
        self.assertEqual(added, {"OTHER": self.other.encode()})
        notices = [l for l in run.err.decode().splitlines() if "GREETING" in l]
        self.assertTrue(notices, "no stderr notice names GREETING\n" + run.describe())
        self.assertFalse(any("OTHER" in l and "overrid" in l.lower() for l in run.err.decode().splitlines()),
                         "notice for a variable that was not inherited\n" + run.describe())

    def test_override_notice_quiet(self):
        self.check_override(verbose=False)

    def test_override_notice_verbose(self):
        self.check_override(verbose=True)

    def test_one_notice_per_name(self):
        # GREETING inherited and set by both paths: the later path wins, one notice
        env = self.env(GREETING=self.inherited)
        got, added, run = self.fetch(["/override", "/override2"], env=env, verbose=False)
        self.assertEqual(got["GREETING"], self.second.encode(), run.describe())
        notices = [l for l in run.err.decode().splitlines() if "GREETING" in l]
        self.assertEqual(len(notices), 1, "want one notice for GREETING\n" + run.describe())

    def test_no_override_flag(self):
        env = self.env(GREETING=self.inherited)
        got, added, run = self.fetch(["--no-override", "/override"], env=env)
        self.assertEqual(got["GREETING"], self.inherited.encode(), "inherited value lost\n" + run.describe())
        self.assertEqual(added, {"OTHER": self.other.encode()})

    def test_no_override_variable(self):
        env = self.env(GREETING=self.inherited, ENVSSM_NO_OVERRIDE="1")
        got, added, run = self.fetch(["/override"], env=env)
        self.assertEqual(got["GREETING"], self.inherited.encode(), "inherited value lost\n" + run.describe())
        self.assertEqual(added, {"OTHER": self.other.encode()})


# ---------------------------------------------------------------------------
# 7, 8. Authentication and authorisation failures


class Test07AuthFailures(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        SERVER.put_parameters([("/auth/app/key", secret_token("auth app key"), "SecureString")])
        cls.wrong_secret = secret_token("wrong secret")

    def test_wrong_secret_key(self):
        env = self.env(creds=Credentials(SERVER.admin.access_key_id, self.wrong_secret))
        self.assert_fails(["/auth/app"], ["SignatureDoesNotMatch", "/auth/app"], env=env)

    def test_unknown_access_key(self):
        env = self.env(creds=Credentials("AKIAENVSSMUNKNOWN000", self.wrong_secret))
        self.assert_fails(["/auth/app"], ["InvalidClientTokenId", "/auth/app"], env=env)


class Test08AccessDenied(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        SERVER.put_parameters([("/denied/app/key", secret_token("denied app key"), "SecureString")])

    def test_denied_path(self):
        self.assert_fails(["/denied/app"], ["AccessDenied", "/denied/app"], env=self.env(creds="denied"))

    def test_same_path_allowed_for_admin(self):
        # the denial is the user's, not the path's
        got, added, run = self.fetch(["/denied/app"])
        self.assertEqual(sorted(added), ["KEY"])


# ---------------------------------------------------------------------------
# 9. Nothing found


class Test09Empty(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        SERVER.put_parameters([("/emptyish/sibling/x", secret_token("empty sibling"))])

    def test_empty_path_fails(self):
        self.assert_fails(["/emptyish/nothing"], ["/emptyish/nothing"])

    def test_empty_path_wrong_env(self):
        self.assert_fails(["--env", "nowhere", "/emptyish"], ["/nowhere/emptyish"])

    def test_allow_empty_flag(self):
        self.assert_fetched(["--allow-empty", "/emptyish/nothing"], {})

    def test_allow_empty_variable(self):
        self.assert_fetched(["/emptyish/nothing"], {}, env=self.env(ENVSSM_ALLOW_EMPTY="1"))


# ---------------------------------------------------------------------------
# 10. Collisions


class Test10Collision(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        SERVER.put_parameters([
            ("/c/a-b", secret_token("collision a-b")),
            ("/c/a_b", secret_token("collision a_b")),
            ("/c2/Foo", secret_token("collision Foo")),
            ("/c2/foo", secret_token("collision foo")),
            ("/c3/x/y", secret_token("collision x/y")),
            ("/c3/x.y", secret_token("collision x.y")),
        ])

    def test_dash_and_underscore(self):
        self.assert_fails(["/c"], ["/c/a-b", "/c/a_b"])

    def test_case(self):
        self.assert_fails(["/c2"], ["/c2/Foo", "/c2/foo"])

    def test_slash_and_dot(self):
        self.assert_fails(["/c3"], ["/c3/x/y", "/c3/x.y"])


# ---------------------------------------------------------------------------
# 11. Reserved names


RESERVED = ["PATH", "HOME", "SHELL", "IFS", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT",
            "BASH_ENV", "ENV", "NODE_OPTIONS", "PYTHONPATH", "PYTHONSTARTUP", "PERL5OPT",
            "RUBYOPT", "JAVA_TOOL_OPTIONS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            # seen getting through before the list was reviewed
            "OPENSSL_CONF", "NODE_TLS_REJECT_UNAUTHORIZED", "SSLKEYLOGFILE", "ENVSSM_ALLOW_NAMES",
            "LUA_INIT_5_4", "DOTNET_STARTUP_HOOKS", "PHP_INI_SCAN_DIR", "XDG_CONFIG_HOME",
            "ZDOTDIR", "PYTHONUSERBASE", "DOCKER_HOST"]


class Test11Reserved(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        params = []
        for i, name in enumerate(RESERVED):
            params.append(("/rsv/%d/%s" % (i, name.lower()), secret_token("reserved " + name)))
        cls.path_value = "/usr/bin:/bin:/opt/" + secret_token("reserved PATH allowed")
        cls.home_value = "/home/" + secret_token("reserved HOME allowed")
        cls.ok_value = secret_token("reserved ok")
        params += [("/r/path", cls.path_value), ("/r/ok", cls.ok_value),
                   ("/r2/path", cls.path_value), ("/r2/home", cls.home_value)]
        cls.conf_value = "/tmp/" + secret_token("reserved OPENSSL_CONF allowed")
        params += [("/r3/openssl-conf", cls.conf_value),
                   ("/r4/envssm-allow-names", "LD_PRELOAD," + secret_token("reserved ENVSSM"))]
        SERVER.put_parameters(params)

    def test_each_reserved_name_refused(self):
        for i, name in enumerate(RESERVED):
            if QUICK and name not in ("PATH", "LD_PRELOAD", "AWS_SECRET_ACCESS_KEY"):
                continue
            with self.subTest(name=name):
                self.assert_fails(["/rsv/%d" % i], [name])

    def test_path_refused(self):
        self.assert_fails(["/r"], ["PATH"])

    def test_allow_name_flag(self):
        got, added, run = self.fetch(["--allow-name", "PATH", "/r"])
        self.assertEqual(got["PATH"], self.path_value.encode(), run.describe())
        self.assertEqual(added, {"OK": self.ok_value.encode()})

    def test_allow_names_variable(self):
        got, added, run = self.fetch(["/r"], env=self.env(ENVSSM_ALLOW_NAMES="PATH"))
        self.assertEqual(got["PATH"], self.path_value.encode(), run.describe())

    def test_openssl_conf_refused_with_its_reason(self):
        self.assert_fails(["/r3"], ["'/r3/openssl-conf'", "'OPENSSL_CONF'", "OpenSSL loads",
                                    "--allow-name OPENSSL_CONF"])
        got, added, run = self.fetch(["--allow-name", "OPENSSL_CONF", "/r3"])
        self.assertEqual(added, {"OPENSSL_CONF": self.conf_value.encode()}, run.describe())

    def test_envssm_settings_cannot_be_allowed(self):
        # a parameter must not steer a nested envssm: not even --allow-name lets it
        needles = ["'/r4/envssm-allow-names'", "'ENVSSM_ALLOW_NAMES'", "cannot be allowed"]
        self.assert_fails(["/r4"], needles)
        self.assert_fails(["--allow-name", "ENVSSM_ALLOW_NAMES", "/r4"], needles)
        self.assert_fails(["/r4"], needles, env=self.env(ENVSSM_ALLOW_NAMES="ENVSSM_ALLOW_NAMES"))

    def test_allow_name_is_per_name(self):
        self.assert_fails(["--allow-name", "PATH", "/r2"], ["HOME"])
        got, _, run = self.fetch(["--allow-name", "PATH,HOME", "/r2"])
        self.assertEqual((got["PATH"], got["HOME"]), (self.path_value.encode(), self.home_value.encode()))
        got, _, run = self.fetch(["--allow-name", "HOME", "--allow-name", "PATH", "/r2"])
        self.assertEqual((got["PATH"], got["HOME"]), (self.path_value.encode(), self.home_value.encode()))


# ---------------------------------------------------------------------------
# 12, 13. Exit status


class Test12ExitStatus(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        SERVER.put_parameters([("/exit/x", secret_token("exit x"))])

    def test_pass_through_0_to_255(self):
        env = self.env()

        def one(n):
            return n, self.run_envssm(["/exit", "--", "sh", "-c", "exit %d" % n], env=env,
                                      check_leaks=False)

        codes = [0, 1, 2, 3, 42, 124, 125, 126, 127, 128, 129, 254, 255] if QUICK else range(256)
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(one, codes))
        wrong = [(n, r) for n, r in results if r.rc != n]
        for _, r in results:
            self.assert_no_leaks(r)
        self.assertEqual(["%d->%d" % (n, r.rc) for n, r in wrong], [],
                         "exit statuses not passed through (want->got); first:\n"
                         + (wrong[0][1].describe() if wrong else ""))

    def test_program_killed_by_signal(self):
        # same PID, so a signal death is reported by the parent as such
        run = self.run_envssm(["/exit", "--", "sh", "-c", "kill -TERM $$"])
        self.assertEqual(run.rc, -15, run.describe())

    def test_command_not_found(self):
        self.assert_fails(["/exit"], ["no-such-command-envssm"], status=127,
                          command=["no-such-command-envssm"])
        self.assert_fails(["/exit"], [], status=127, command=[os.path.join(self.dir, "absent")])

    def test_not_executable(self):
        path = os.path.join(self.dir, "not-executable")
        with open(path, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        self.assert_fails(["/exit"], [], status=126, command=[path])
        self.assert_fails(["/exit"], [], status=126, command=[self.dir])  # a directory


# ---------------------------------------------------------------------------
# 14. Shared credentials and config files, region


class Test14Profiles(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        cls.us = secret_token("profiles us-east-1")
        cls.eu = secret_token("profiles eu-west-1")
        SERVER.put_parameters([("/profiles/app/where", cls.us)], region=REGION)
        SERVER.put_parameters([("/profiles/app/where", cls.eu)], region=OTHER_REGION)
        cls.bogus = Credentials("AKIAENVSSMBOGUSKEY00", secret_token("bogus secret"))

    def setUp(self):
        super().setUp()
        a, b = SERVER.admin, self.bogus
        with open(os.path.join(self.home, ".aws", "credentials"), "w") as f:
            f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n"
                    "[envssm-good]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n"
                    "[envssm-bad]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n"
                    "[envssm-other-region]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (a.access_key_id, a.secret_access_key, a.access_key_id, a.secret_access_key,
                       b.access_key_id, b.secret_access_key, a.access_key_id, a.secret_access_key))
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write("[default]\nregion = %s\n\n"
                    "[profile envssm-good]\nregion = %s\n\n"
                    "[profile envssm-bad]\nregion = %s\n\n"
                    "[profile envssm-other-region]\nregion = %s\n\n"
                    "[profile envssm-config-keys]\nregion = %s\naws_access_key_id = %s\n"
                    "aws_secret_access_key = %s\n"
                    % (OTHER_REGION, REGION, REGION, OTHER_REGION, REGION,
                       a.access_key_id, a.secret_access_key))

    def env(self, creds=None, region=None, **extra):
        # no keys and no region in the environment unless a test adds them
        return super().env(creds=creds, region=region, **extra)

    def where(self, args, env, expected):
        self.assert_fetched(list(args) + ["/profiles/app"], {"WHERE": expected}, env=env)

    def test_profile_flag(self):
        self.where(["--profile", "envssm-good"], self.env(), self.us)

    def test_aws_profile_variable(self):
        self.where([], self.env(AWS_PROFILE="envssm-good"), self.us)

    def test_env_keys_beat_aws_profile(self):
        # as botocore: AWS_PROFILE does not hide AWS_ACCESS_KEY_ID
        env = self.env(creds=self.bogus, AWS_PROFILE="envssm-good")
        self.assert_fails(["/profiles/app"], ["InvalidClientTokenId"], env=env)
        env = self.env(creds="admin", AWS_PROFILE="envssm-bad")
        self.where([], env, self.us)

    def test_profile_flag_beats_env_keys(self):
        # as botocore: an explicit profile skips the environment's keys
        env = self.env(creds=self.bogus)
        self.where(["--profile", "envssm-good"], env, self.us)
        env = self.env(creds="admin")
        self.assert_fails(["--profile", "envssm-bad", "/profiles/app"], ["InvalidClientTokenId"], env=env)

    def test_profile_flag_beats_aws_profile(self):
        self.where(["--profile", "envssm-good"], self.env(AWS_PROFILE="envssm-bad"), self.us)

    def test_default_profile(self):
        # [default] keys, and the region of [default]
        self.where([], self.env(), self.eu)

    def test_region_from_profile(self):
        self.where(["--profile", "envssm-other-region"], self.env(), self.eu)
        self.where([], self.env(AWS_PROFILE="envssm-other-region"), self.eu)

    def test_region_env_beats_profile(self):
        self.where(["--profile", "envssm-other-region"], self.env(AWS_REGION=REGION), self.us)
        self.where(["--profile", "envssm-other-region"], self.env(AWS_DEFAULT_REGION=REGION), self.us)

    def test_region_flag_beats_all(self):
        env = self.env(AWS_REGION=OTHER_REGION, AWS_DEFAULT_REGION=OTHER_REGION)
        self.where(["--profile", "envssm-other-region", "--region", REGION], env, self.us)

    def test_aws_region_beats_aws_default_region(self):
        env = self.env(AWS_REGION=OTHER_REGION, AWS_DEFAULT_REGION=REGION)
        self.where(["--profile", "envssm-good"], env, self.eu)

    def test_keys_in_config_file(self):
        self.where(["--profile", "envssm-config-keys"], self.env(), self.us)

    def test_missing_profile(self):
        # as botocore's ProfileNotFound: the message names the profile, whether or
        # not a region is known from elsewhere
        self.assert_fails(["--profile", "envssm-absent", "/profiles/app"], ["envssm-absent"],
                          env=self.env(AWS_REGION=REGION))
        self.assert_fails(["--profile", "envssm-absent", "/profiles/app"], ["envssm-absent"],
                          env=self.env())


# ---------------------------------------------------------------------------
# Region and endpoint from flags and variables


class Test14bRegionEndpoint(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        cls.us = secret_token("regions us-east-1")
        cls.eu = secret_token("regions eu-west-1")
        SERVER.put_parameters([("/regions/where", cls.us)], region=REGION)
        SERVER.put_parameters([("/regions/where", cls.eu)], region=OTHER_REGION)

    def where(self, args, env, expected):
        self.assert_fetched(list(args) + ["/regions"], {"WHERE": expected}, env=env)

    def test_region_flag(self):
        self.where(["--region", OTHER_REGION], self.env(region=None), self.eu)
        self.where(["--region", REGION], self.env(region=OTHER_REGION), self.us)

    def test_region_variables(self):
        self.where([], self.env(region=OTHER_REGION), self.eu)
        self.where([], self.env(region=None, AWS_DEFAULT_REGION=OTHER_REGION), self.eu)

    def test_no_region(self):
        self.assert_fails(["/regions"], ["region"], env=self.env(region=None))

    def test_endpoint_flag_beats_variable(self):
        env = self.env(AWS_ENDPOINT_URL=DEAD_URL)
        self.where(["--endpoint-url", SERVER.endpoint], env, self.us)

    def test_service_endpoint_variable(self):
        env = self.env(AWS_ENDPOINT_URL=DEAD_URL, AWS_ENDPOINT_URL_SSM=SERVER.endpoint)
        self.where([], env, self.us)

    def test_signal_while_fetching(self):
        # the server never answers; SIGTERM/SIGINT must end envssm promptly, 128+n
        for sig in (signal.SIGTERM, signal.SIGINT):
            out = self.out_file()
            argv = [ENVSSM, "-v", "/regions", "--", PYTHON, "-I", "-S", "-c", DUMP_ENV, out]
            # default dispositions in the child even if this runner was started with
            # SIGINT ignored (a background job of a non-interactive shell is)
            p = subprocess.Popen(argv, env=self.env(AWS_ENDPOINT_URL=HANG_URL), cwd=self.dir,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL)
                                                     for s in (signal.SIGINT, signal.SIGTERM)])
            time.sleep(1.0)
            self.assertIsNone(p.poll(), "envssm did not wait for the hanging server")
            sent = time.monotonic()
            p.send_signal(sig)
            try:
                outb, errb = p.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                self.fail("envssm still running 5 s after %s" % sig.name)
            took = time.monotonic() - sent
            run = Run(argv, p.returncode, outb, errb, p.pid)
            with _runs_lock:
                RUNS.append({"test": self.id(), "argv": argv, "rc": p.returncode, "out": outb, "err": errb})
            self.assert_no_leaks(run)
            self.assertIn(p.returncode, (-sig, 128 + sig), "%s: wrong status\n%s" % (sig.name, run.describe()))
            self.assertLess(took, 3.0, "%s took %.1f s to end envssm" % (sig.name, took))
            self.assertFalse(os.path.exists(out), "the program ran")

    def test_connection_refused(self):
        env = self.env(AWS_ENDPOINT_URL=DEAD_URL, AWS_MAX_ATTEMPTS="2")
        self.assert_fails(["/regions"], ["/regions"], env=env)


# ---------------------------------------------------------------------------
# Becoming the program


class Test16Exec(EnvssmCase):
    @classmethod
    def setUpClass(cls):
        SERVER.put_parameters([("/exec/x", secret_token("exec x"))])

    def probe(self, via_envssm, pass_fds=()):
        out = self.out_file()
        cmd = [PYTHON, "-I", "-S", "-c", PROBE, out, "", "a b", "--", "-v", "--env", "'\"$x"]
        if via_envssm:
            run = self.run_envssm(["/exec", "--"] + cmd, pass_fds=pass_fds)
            self.assertEqual(run.rc, 0, run.describe())
            pid = run.pid
        else:
            p = subprocess.Popen(cmd, env=self.env(), cwd=self.dir, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=pass_fds)
            p.communicate(timeout=RUN_TIMEOUT_S)
            pid = p.pid
        with open(out) as f:
            data = json.load(f)
        return pid, data, probe_fds(data)

    def test_same_pid_args_and_descriptors(self):
        r, w = os.pipe()
        try:
            base_pid, base, base_fds = self.probe(False, pass_fds=(r,))
            pid, got, fds = self.probe(True, pass_fds=(r,))
        finally:
            os.close(r)
            os.close(w)
        self.assertEqual(got["pid"], pid, "the program is not envssm's process")
        self.assertEqual(got["argv"], ["", "a b", "--", "-v", "--env", "'\"$x"])
        self.assertIn(str(r), fds, "an inherited descriptor was closed")
        self.assertEqual(fds[str(r)], base_fds[str(r)])
        extra = {fd: t for fd, t in fds.items() if fd not in base_fds and fd not in NOISE_FDS}
        self.assertEqual(extra, {}, "the program got descriptors envssm opened: %r" % extra)
        self.assertEqual(sorted(set(base_fds) - set(fds)), [], "inherited descriptors were closed")

    def test_signal_state(self):
        grep = shutil.which("grep", path=motoserver.SAFE_PATH)
        cmd = [grep, "^Sig[BI]", "/proc/self/status"]
        base = subprocess.run(cmd, env=self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=RUN_TIMEOUT_S)
        run = self.run_envssm(["/exec", "--"] + cmd)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertEqual(run.out.decode(), base.stdout.decode(),
                         "signal mask or ignored signals differ from a direct start")


# ---------------------------------------------------------------------------
# Command line


class Test17CommandLine(EnvssmCase):
    def test_help(self):
        for flag in ("--help", "-h"):
            run = self.run_envssm([flag], verbose=False)
            self.assertEqual(run.rc, 0, run.describe())
            self.assertIn(b"envssm", run.out + run.err)

    def test_version(self):
        for flag in ("--version", "-V"):
            run = self.run_envssm([flag], verbose=False)
            self.assertEqual(run.rc, 0, run.describe())
            self.assertIn(b"envssm", run.out + run.err)

    def test_unknown_option(self):
        self.assert_fails(["--no-such-option", "/exit"], ["--no-such-option"])

    def usage_error(self, args):
        run = self.run_envssm(args, verbose=False)
        self.assertEqual(run.rc, 125, run.describe())
        self.assertTrue(run.err.startswith(b"envssm: ") and run.err.count(b"\n") == 1
                        and run.err.endswith(b"\n"), "want one 'envssm: ' line\n" + run.describe())

    def test_no_arguments(self):
        self.usage_error([])

    def test_missing_dashdash(self):
        self.usage_error(["/exit", "true"])
        self.usage_error(["/exit", "sh", "-c", "true"])

    def test_no_command(self):
        for verbose in (False, True):
            run = self.run_envssm(["/exit", "--"], verbose=verbose)
            self.assertEqual(run.rc, 125, run.describe())
            self.assertTrue(run.err.startswith(b"envssm: ") or b"\nenvssm: " in run.err, run.describe())


# ---------------------------------------------------------------------------
# 15. Nothing secret in anything envssm printed, across the whole module


class Test99NoLeaks(unittest.TestCase):
    def test_no_secret_in_any_output(self):
        if not RUNS:
            self.skipTest("no envssm runs recorded (run the whole module)")
        self.assertTrue(any("-v" in r["argv"] for r in RUNS))
        self.assertGreater(len(motoserver.SECRETS), 100)
        leaky = []
        for r in RUNS:
            output = r["out"] + r["err"]
            leaks = find_leaks(output) + [f.decode() for f in FORBIDDEN if f in output]
            if leaks:
                leaky.append("%s: %s leaks %s" % (r["test"], " ".join(r["argv"][1:4]), ", ".join(leaks)))
        self.assertEqual(leaky, [], "\n".join(leaky[:20]))


if __name__ == "__main__":
    unittest.main()
