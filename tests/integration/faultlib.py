"""Shared helpers for envssm's fault and herd tests against tests/fakessm.py.

What it gives test_faults.py and test_herd.py:

- ENVSSM (the binary run.py names in ENVSSM_TEST_BINARY, else ./envssm), PYTHON, and
  the programs envssm execs: DUMP_ENV writes the program's exact envp
  (/proc/self/environ) to the file named in argv[1]; PROBE_SIGIGN also writes the
  SigIgn line of /proc/self/status. The file existing proves the program ran.
- seed_params(): a parameter set whose every value holds a distinctive token
  registered with motoserver's secret registry (motoserver.secret_token), so that
  motoserver.find_leaks() catches a value -- whole or a 12-character piece of it --
  in anything envssm prints. The fake's secret key is registered too.
- envssm_env(): an environment built from scratch like motoserver.envssm_env (no
  inherited AWS_*, AWS_EC2_METADATA_DISABLED=true, shared files in a temp HOME,
  endpoint pinned to a loopback fake), with the fake's default keys and, for HTTPS,
  AWS_CA_BUNDLE pointing at the fake's generated CA.
- run_envssm(): run envssm once, with a hard limit that turns a hang into a test
  failure (the child is killed by its own PID), and return a Result with the
  exit status, both outputs, elapsed time, the leaks found in envssm's own output and
  the environment the program saw (None when it never ran).
- check_program_env(): the program's environment must be the inherited one plus
  exactly the expected variables, byte for byte, each name once.
- ssm_requests(): the GetParametersByPath requests the fake recorded, with their
  decoded bodies, for checks on pagination and connection reuse.

And what test_watch.py and test_secret_files.py share for a watch:

- Watcher: envssm running a program in the background (--watch, usually), its log
  followed and searched for registered secrets when it is stopped by its PID.
- start_seeded_fake() and fake_process_env(): the fake in its own process, seeded
  from a file, and envssm's environment for it, with either the fake's default keys
  or its container-credentials endpoint.

Servers bind 127.0.0.1 only; every process started here is stopped by its PID.
"""

import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
for _p in (HERE, TESTS):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import motoserver  # noqa: E402  (the shared secret registry and leak grep)
from motoserver import find_leaks, register_secret, secret_token  # noqa: E402,F401
import fakessm  # noqa: E402
from fakessm import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, FakeSSM, FakeSSMProcess  # noqa: E402,F401

ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
PYTHON = os.path.realpath(sys.executable)
REGION = "us-east-1"
SAFE_PATH = motoserver.SAFE_PATH

# Header material that must never show up in envssm's output (as test_moto checks).
FORBIDDEN = [b"AWS4-HMAC-SHA256", b"Signature=", b"Credential=", b"X-Amz-Security-Token"]

register_secret("fakessm secret access key", DEFAULT_SECRET_KEY)

DUMP_ENV = ("import sys\n"
            "d = open('/proc/self/environ', 'rb').read()\n"
            "open(sys.argv[1], 'wb').write(d)\n")

# envp as hex plus the SigIgn mask, as JSON into argv[1].
PROBE_SIGIGN = ("import sys, json\n"
                "env = open('/proc/self/environ', 'rb').read().hex()\n"
                "ign = [l.split()[1] for l in open('/proc/self/status')"
                " if l.startswith('SigIgn:')][0]\n"
                "json.dump({'environ': env, 'sigign': ign}, open(sys.argv[1], 'w'))\n")


def require_binary():
    if not (os.path.isfile(ENVSSM) and os.access(ENVSSM, os.X_OK)):
        raise RuntimeError("envssm binary not found or not executable: %s (run make)" % ENVSSM)


def is_wrapper():
    """True when the binary under test is a script around envssm (make valgrind's)."""
    with open(ENVSSM, "rb") as f:
        return f.read(4) != b"\x7fELF"


_NOISE = []


def noise_names():
    """Variables a wrapper around envssm adds to every program by itself (learnt once,
    from a run that loads nothing and needs no network); empty for a real binary."""
    if _NOISE:
        return _NOISE[0]
    names = frozenset()
    if is_wrapper():
        import tempfile
        d = tempfile.mkdtemp(prefix="envssm-calibrate-")
        try:
            out = os.path.join(d, "environ")
            env = {"PATH": SAFE_PATH, "HOME": d, "AWS_EC2_METADATA_DISABLED": "true"}
            subprocess.run(envssm_argv(["--allow-empty"], out), env=env, cwd=d,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
                           check=True)
            with open(out, "rb") as f:
                got = {n.decode("utf-8", "surrogateescape") for n, _ in parse_environ(f.read())}
            names = frozenset(got - set(env))
        finally:
            import shutil
            shutil.rmtree(d, ignore_errors=True)
        sys.stderr.write("\n[wrapper %s adds %s by itself; tolerated]\n"
                         % (ENVSSM, sorted(names)))
    _NOISE.append(names)
    return names


# ---------------------------------------------------------------------------
# Parameters


# Values that exercise byte-exactness through envp: quotes, $, backslashes, '=',
# newlines, tabs, UTF-8. Each is appended to a registered token.
AWKWARD = [
    " p@ss \"quoted\" 'single' $HOME `cmd` \\back\\slash = a=b",
    "\nsecond line\n\ttabbed\r\n",
    " caf\u00e9 \u2603 \U0001F511 \u00a0nbsp",
    ",item2,item3",
]


def seed_params(prefix="/app", n=30, label="faults"):
    """n parameters under prefix: prefix/db/password (SecureString), prefix/db/user,
    then prefix/secret-00.. with types String, SecureString, StringList in turn.

    Returns (params for FakeSSM(seed=...), {VARIABLE: value bytes}, sorted names).
    Every value starts with a registered secret token."""
    items = [("%s/db/password" % prefix, "SecureString"), ("%s/db/user" % prefix, "String")]
    kinds = ("String", "SecureString", "StringList")
    for i in range(n - len(items)):
        items.append(("%s/secret-%02d" % (prefix, i), kinds[i % 3]))
    params, expected = [], {}
    for i, (name, typ) in enumerate(items):
        value = secret_token("%s %s" % (label, name))
        if i % 5 == 0:
            value += AWKWARD[(i // 5) % len(AWKWARD)]
        params.append({"Name": name, "Type": typ, "Value": value})
        var = name[len(prefix) + 1:].replace("/", "_").replace("-", "_").upper()
        expected[var] = value.encode("utf-8")
    return params, expected, sorted(p["Name"] for p in params)


# ---------------------------------------------------------------------------
# Environments


def envssm_env(url, home, ca=None, extra=None):
    """envssm's whole environment, from scratch: endpoint pinned to the loopback
    fake, IMDS off, shared files inside home, the fake's default keys."""
    aws_dir = os.path.join(home, ".aws")
    os.makedirs(aws_dir, exist_ok=True)
    env = {
        "PATH": SAFE_PATH,
        "HOME": home,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": url,
        "AWS_CONFIG_FILE": os.path.join(aws_dir, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(aws_dir, "credentials"),
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
        "AWS_REGION": REGION,
    }
    if ca:
        env["AWS_CA_BUNDLE"] = ca
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    check_pinned(env)
    return env


def check_pinned(env):
    """Refuse an environment that could send envssm anywhere but a loopback fake
    (the harness's one check, shared with the moto suite)."""
    try:
        motoserver.check_env_pinned(env, forbid=motoserver.UNPINNED)
    except motoserver.HarnessError as e:
        raise AssertionError(str(e)) from None


# ---------------------------------------------------------------------------
# Running envssm


def parse_environ(data):
    """envp bytes -> list of (name, value) pairs (bytes), in order."""
    entries = data.split(b"\0")
    if entries and entries[-1] == b"":
        entries.pop()
    pairs = []
    for e in entries:
        name, sep, value = e.partition(b"=")
        pairs.append((name, value if sep else None))
    return pairs


def output_leaks(output):
    """Registered secrets and signing material found in envssm's own output."""
    return find_leaks(output) + [f.decode() for f in FORBIDDEN if f in output]


class Result:
    def __init__(self, argv, rc, out, err, elapsed, pid, program_file):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.elapsed, self.pid, self.program_file = elapsed, pid, program_file
        self.leaks = output_leaks(out + err)
        self.program_raw = None
        if program_file and os.path.exists(program_file):
            with open(program_file, "rb") as f:
                self.program_raw = f.read()

    @property
    def ran(self):
        return self.program_raw is not None

    def program_pairs(self):
        return parse_environ(self.program_raw) if self.program_raw is not None else None

    def err_lines(self):
        return self.err.decode("utf-8", "replace").splitlines()

    def describe(self):
        return ("argv: %s\nexit: %s after %.2f s\nprogram ran: %s\nstdout: %r\nstderr:\n%s"
                % (" ".join(self.argv), self.rc, self.elapsed, self.ran, self.out[-1000:],
                   self.err.decode("utf-8", "replace")[-4000:]))


def envssm_argv(args, program_file, verbose=False, program=DUMP_ENV):
    return ([ENVSSM] + (["-v"] if verbose else []) + list(args)
            + ["--", PYTHON, "-I", "-S", "-c", program, program_file])


def kill_by_pid(p):
    """Kill a child we started, by its PID, and reap it."""
    if p.poll() is None:
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.communicate()


def run_envssm(args, env, program_file, limit_s, verbose=False, program=DUMP_ENV, cwd=None,
               preexec_fn=None, on_start=None):
    """Run envssm ARGS -- PROGRAM program_file. A run still going after limit_s is
    killed and reported as a hang (AssertionError). on_start(popen) runs right after
    the start (for signals). Returns a Result."""
    check_pinned(env)
    argv = envssm_argv(args, program_file, verbose, program)
    start = time.monotonic()
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec_fn)
    try:
        if on_start is not None:
            on_start(p)
        out, err = p.communicate(timeout=max(0.1, limit_s - (time.monotonic() - start)))
    except subprocess.TimeoutExpired:
        kill_by_pid(p)
        raise AssertionError("envssm hung: still running %.1f s after it started: %s"
                             % (time.monotonic() - start, " ".join(argv[:-3])))
    except BaseException:
        kill_by_pid(p)
        raise
    elapsed = time.monotonic() - start
    return Result(argv, p.returncode, out, err, elapsed, p.pid, program_file)


def check_program_env(result, env, expected):
    """Problems with the environment the program saw (an empty list when it is the
    inherited env plus exactly `expected` {NAME: bytes}, each name once)."""
    pairs = result.program_pairs()
    if pairs is None:
        return ["the program never ran"]
    problems = []
    names = [n for n, _ in pairs]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        problems.append("names more than once in envp: %r" % dups)
    if any(v is None for _, v in pairs):
        problems.append("an envp entry without '='")
    got = {n.decode("utf-8", "surrogateescape"): v for n, v in pairs}
    noise = noise_names()
    added = {k: v for k, v in got.items() if k not in env and k not in noise}
    missing = sorted(set(expected) - set(added))
    extra = sorted(set(added) - set(expected))
    if missing:
        problems.append("missing %d of %d variables: %s" % (len(missing), len(expected),
                                                           missing[:8]))
    if extra:
        problems.append("unexpected variables: %s" % extra[:8])
    wrong = sorted(k for k in expected if k in added and added[k] != expected[k])
    if wrong:
        problems.append("values differ (not byte-exact) for %s" % wrong[:8])
    for k, v in env.items():
        if got.get(k) != v.encode("utf-8"):
            problems.append("inherited %s dropped or changed" % k)
    return problems


# ---------------------------------------------------------------------------
# What the fake saw


def ssm_requests(fake, op="GetParametersByPath"):
    """The fake's recorded SSM requests of one operation, oldest first, each with
    'req' (the decoded JSON body, or None)."""
    out = []
    for r in fake.requests():
        if r.get("kind") != "ssm" or r.get("op") != op:
            continue
        r = dict(r)  # the in-process fake hands out its own log entries
        try:
            r["req"] = json.loads(r.get("body") or "null")
        except ValueError:
            r["req"] = None
        out.append(r)
    return out


def max_throttle_run_per_connection(requests):
    """The longest run of consecutive throttled answers on one connection."""
    runs, best = {}, 0
    for r in requests:
        c = r.get("conn")
        if r.get("outcome") == "throttled":
            runs[c] = runs.get(c, 0) + 1
            best = max(best, runs[c])
        else:
            runs[c] = 0
    return best


# ---------------------------------------------------------------------------
# The fake in its own process


def start_seeded_fake(case, tmp, params, *args):
    """FakeSSMProcess --seed tmp/seed.json ARGS..., seeded with params, its log in
    tmp/fake.log; stopped by its PID, and its log closed, by case's cleanups."""
    seed = os.path.join(tmp, "seed.json")
    with open(seed, "w") as f:
        json.dump(params, f)
    log = open(os.path.join(tmp, "fake.log"), "w")
    case.addCleanup(log.close)
    fake = FakeSSMProcess("--seed", seed, *args, stderr=log)
    case.addCleanup(fake.stop)
    fake.start()
    return fake


def fake_process_env(fake, home, container_credentials=False, extra=None):
    """envssm's whole environment for a fake process, from scratch: endpoint pinned to
    it, IMDS off, no shared files, HOME home. Credentials are the fake's default keys,
    or with container_credentials its container endpoint (fake.url + "/creds") and no
    keys. extra: more variables."""
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_ENDPOINT_URL": fake.url, "AWS_REGION": REGION,
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    if container_credentials:
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = fake.url + "/creds"
    else:
        env["AWS_ACCESS_KEY_ID"] = DEFAULT_ACCESS_KEY
        env["AWS_SECRET_ACCESS_KEY"] = DEFAULT_SECRET_KEY
    env.update(extra or {})
    motoserver.check_env_pinned(env)
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if full is not None and not full.startswith(fake.url + "/"):
        raise AssertionError("the container endpoint is not the fake: %r" % full)
    return env


# ---------------------------------------------------------------------------
# A watch in the background


class Watcher:
    """envssm ARGS -- PYTHON -I -S -c PROGRAM OUT [PROGRAM_ARGS...] in the background,
    both of envssm's outputs to log_path, stopped by its PID.

    read(out) returns what the program has recorded in out so far, as a list. stop()
    reads the log and has it searched for registered secrets: appended to `logs` when
    that is a list (for the test to search, say in tearDown), else asserted clean
    through `case` right there."""

    def __init__(self, case, args, program, out, env, log_path, read, program_args=(),
                 logs=None):
        motoserver.check_env_pinned(env)
        self.case, self.out, self.read, self.logs = case, out, read, logs
        self.log = open(log_path, "w+b")
        argv = ([ENVSSM] + list(args) + ["--", PYTHON, "-I", "-S", "-c", program, out]
                + list(program_args))
        self.p = subprocess.Popen(argv, env=env, stdout=self.log, stderr=self.log)

    def wait_for(self, n, timeout):
        """What the program has recorded, once that is n entries, envssm has ended or
        timeout seconds have passed, whichever comes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.read(self.out)) >= n:
                break
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        return self.read(self.out)

    def stop(self):
        """SIGTERM by PID (SIGKILL after 30 s). Returns (exit status, log as text)."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        self.log.seek(0)
        log = self.log.read()
        self.log.close()
        if self.logs is not None:
            self.logs.append(log)
        else:
            self.case.assertEqual(find_leaks(log), [], "envssm's log leaks a secret")
        return rc, log.decode("utf-8", "replace")
