#!/usr/bin/env python3
"""`make demo`: envssm against a local moto_server with signature checking on.

Starts moto (tests/integration/motoserver.py), seeds a few parameters under
/production/app, runs

    ./envssm --env production /app -- sh -c '...'

and shows which variables the program received (names, and lengths of the secret
ones, never their values), then stops the server.
"""

import argparse
import os
import shlex
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "integration"))

import motoserver  # noqa: E402

SHOW = ('env | grep -E "^(DJANGO|DATABASE|DEBUG|ALLOWED)" | cut -d= -f1 | sort; '
        'echo "DEBUG=$DEBUG"; '
        'echo "DJANGO_SECRET_KEY has ${#DJANGO_SECRET_KEY} characters"')


def die(msg):
    print("demo: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--envssm", default=os.path.join(ROOT, "envssm"),
                    help="the envssm binary (default: envssm in the repository root)")
    binary = os.path.abspath(ap.parse_args().envssm)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        die("%s not found: build it first with `make`" % binary)
    try:
        motoserver.moto_server_path()
        motoserver.import_boto3()
    except motoserver.HarnessError as e:
        die(str(e))

    motoserver.stop_on_sigterm()
    print("demo: starting moto_server (signature checking on) ...", flush=True)
    try:
        with motoserver.MotoServer() as moto:
            secret = motoserver.secret_token("demo django secret key")
            params = [
                ("/production/app/django/secret-key", secret, "SecureString"),
                ("/production/app/django/allowed-hosts", "example.com,www.example.com", "StringList"),
                ("/production/app/database/url",
                 "postgres://app:%s@db.internal:5432/app" % motoserver.secret_token("demo db"),
                 "SecureString"),
                ("/production/app/debug", "false", "String"),
                ("/staging/app/debug", "true", "String"),
            ]
            moto.put_parameters(params)
            print("demo: moto_server at %s; seeded:" % moto.endpoint)
            for name, _, kind in params:
                print("        %-40s %s" % (name, kind))

            env = moto.envssm_env(os.path.join(moto.tmpdir, "home"))
            shown = "./envssm" if binary == os.path.join(ROOT, "envssm") else binary
            argv = [shown, "--env", "production", "/app", "--", "sh", "-c", SHOW]
            shown_env = ["AWS_ENDPOINT_URL=" + moto.endpoint, "AWS_REGION=" + env["AWS_REGION"]]
            print()
            print("demo: with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of a moto IAM user, running:")
            print("  " + " ".join(shown_env + [shlex.quote(a) for a in argv]))
            print(flush=True)
            rc = subprocess.call([binary] + argv[1:], env=env, cwd=ROOT)
            print()
            print("demo: envssm exited with status %d; stopping moto_server" % rc)
            return rc
    except motoserver.HarnessError as e:
        die(str(e))


if __name__ == "__main__":
    sys.exit(main())
