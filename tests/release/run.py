#!/usr/bin/env python3
"""Run envssm's release tests: the static binaries, the tarballs, containers.

    python3 tests/release/run.py [--static PATH] [--dynamic PATH] [-k SUBSTRING]

Discovers tests/release/test_*.py. Prints each test and its result, then a
last line "N passed, N failed" (with ", N skipped" when some were skipped).
Exit status 1 when anything failed. Run by `make check-release` after
`make all dist`; the binaries default to build/static-TRIPLET/envssm and
./envssm of this checkout.

Tests that need root, namespaces or a Docker engine skip, saying why, where
those are missing; with ENVSSM_RELEASE_STRICT=1 (or CI set) such a skip is a
failure, so a CI machine cannot pass by skipping.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def integration_result_class():
    """tests/integration/run.py's Result: one outcome per test, subtests folded in."""
    spec = importlib.util.spec_from_file_location(
        "integration_run", os.path.join(ROOT, "tests", "integration", "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Result


def strict():
    return os.environ.get("ENVSSM_RELEASE_STRICT") == "1" or bool(os.environ.get("CI"))


def main():
    triplet = subprocess.run(["gcc", "-dumpmachine"], capture_output=True,
                             text=True).stdout.strip()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--static", default=os.path.join(ROOT, "build", "static-%s" % triplet,
                                                     "envssm"),
                    help="the static envssm (default: %(default)s)")
    ap.add_argument("--dynamic", default=os.path.join(ROOT, "envssm"),
                    help="the dynamically linked envssm (default: %(default)s)")
    ap.add_argument("-k", dest="pattern", action="append",
                    help="only tests whose name contains SUBSTRING")
    args = ap.parse_args()

    for what, path in (("static", args.static), ("dynamic", args.dynamic)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            print("run.py: %s envssm not found or not executable: %s (run make all dist)"
                  % (what, path), file=sys.stderr)
            print("0 passed, 1 failed")
            return 1
    os.environ["ENVSSM_STATIC_BINARY"] = os.path.abspath(args.static)
    os.environ["ENVSSM_DYNAMIC_BINARY"] = os.path.abspath(args.dynamic)

    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    import motoserver
    motoserver.stop_on_sigterm()  # SIGTERM unwinds: servers and engines stop by PID

    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = ["*%s*" % p for p in args.pattern]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)

    start = time.monotonic()
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2,
                                     resultclass=integration_result_class())
    result = runner.run(suite)
    elapsed = time.monotonic() - start

    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in result.outcome.values():
        counts[outcome] += 1
    if strict() and counts["skipped"]:
        for test, reason in result.skipped:
            print("not allowed to skip here: %s: %s" % (test.id(), reason))
        counts["failed"] += counts["skipped"]
        counts["skipped"] = 0
    print("release tests took %.1f s" % elapsed)
    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    if counts["skipped"]:
        line += ", %d skipped" % counts["skipped"]
    print(line)
    return 1 if counts["failed"] or not result.outcome else 0


if __name__ == "__main__":
    sys.exit(main())
