"""What the release tests share: the binaries under test, the program envssm
becomes (envdump.c, built static), seeded parameters and the leak check.

tests/release/run.py names the binaries in ENVSSM_STATIC_BINARY and
ENVSSM_DYNAMIC_BINARY; without it they default to this checkout's
build/static-TRIPLET/envssm and ./envssm.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import motoserver  # noqa: E402

TRIPLET = subprocess.run(["gcc", "-dumpmachine"], capture_output=True,
                         text=True).stdout.strip()


def static_binary():
    return os.environ.get("ENVSSM_STATIC_BINARY") or os.path.join(
        ROOT, "build", "static-%s" % TRIPLET, "envssm")


def dynamic_binary():
    return os.environ.get("ENVSSM_DYNAMIC_BINARY") or os.path.join(ROOT, "envssm")


def require_static(test):
    path = static_binary()
    if not os.path.isfile(path):
        test.fail("the static binary is missing: %s (make static)" % path)
    return path


def build_envdump(directory):
    """Compile envdump.c with gcc -static into directory; return its path."""
    out = os.path.join(directory, "envdump")
    p = subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-std=c11",
                        "-o", out, os.path.join(HERE, "envdump.c")],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("gcc -static envdump.c failed (static libc missing?):\n" + p.stderr)
    return out


def parse_envdump(data):
    """envdump's output (bytes) as a dict; a name seen twice is an error."""
    env = {}
    for item in data.split(b"\0"):
        if not item:
            continue
        name, sep, value = item.decode("utf-8", "surrogateescape").partition("=")
        if not sep or name in env:
            raise AssertionError("envdump output: bad or repeated entry %r" % item[:40])
        env[name] = value
    return env


def credentials():
    """A random access key pair the fake checks signatures against; both registered
    as secrets (the secret key must never be printed)."""
    akid = "AKIAREL" + secrets.token_hex(6).upper()
    secret = motoserver.register_secret("secret access key",
                                        "rel" + secrets.token_hex(16) + "/Key+")
    return akid, secret


def seed_parameters(path, prefix="/app"):
    """Write a fakessm seed file under prefix; return {variable: value}.
    SecureString values are random tokens registered as secrets."""
    db = motoserver.secret_token("db password")
    api = motoserver.secret_token("api key")
    params = [{"Name": prefix + "/db/password", "Type": "SecureString", "Value": db},
              {"Name": prefix + "/api-key", "Type": "SecureString", "Value": api},
              {"Name": prefix + "/region", "Type": "String", "Value": "eu-west-1"},
              {"Name": prefix + "/greeting", "Type": "String", "Value": "a b=c 'q' \"d\" $x"}]
    with open(path, "w") as f:
        json.dump(params, f)
    return {"DB_PASSWORD": db, "API_KEY": api, "REGION": "eu-west-1",
            "GREETING": "a b=c 'q' \"d\" $x"}


def assert_no_leaks(test, text, where):
    leaks = motoserver.find_leaks(text)
    test.assertEqual(leaks, [], "secret values in %s" % where)


def have_root_and(*tools):
    """None if running as root with every tool on PATH, else why not."""
    if os.geteuid() != 0:
        return "needs root"
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        return "needs %s on PATH" % ", ".join(missing)
    return None
