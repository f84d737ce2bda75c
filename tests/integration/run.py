#!/usr/bin/env python3
"""Run envssm's integration tests against moto_server.

    python3 tests/integration/run.py [--envssm PATH] [-k SUBSTRING]

Prints each test and its result, then a last line "N passed, N failed" (with
", N skipped" when some were skipped). Exit status 1 when anything failed.
The default binary is envssm in the repository root.
"""

import argparse
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Result(unittest.TextTestResult):
    """Counts tests, not subtests: a test fails if it or any of its subtests did."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = {}

    def _mark(self, test, what):
        key = test.id()
        if self.outcome.get(key) != "failed":
            self.outcome[key] = what

    def addSuccess(self, test):
        super().addSuccess(test)
        self._mark(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.outcome[test.id()] = "failed"

    def addError(self, test, err):
        super().addError(test, err)
        # errors in setUpModule/setUpClass arrive as _ErrorHolder "tests"
        self.outcome[test.id()] = "failed"

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._mark(test, "skipped")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._mark(test, "passed")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.outcome[test.id()] = "failed"

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.outcome[test.id()] = "failed"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--envssm", default=os.path.join(ROOT, "envssm"),
                    help="the envssm binary to test (default: %(default)s)")
    ap.add_argument("-k", dest="pattern", action="append",
                    help="only tests whose name contains SUBSTRING")
    args = ap.parse_args()

    binary = os.path.abspath(args.envssm)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("run.py: envssm binary not found or not executable: %s (run make first)" % binary,
              file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    os.environ["ENVSSM_TEST_BINARY"] = binary  # read by test_moto; never passed to envssm

    sys.path.insert(0, HERE)
    import motoserver
    motoserver.stop_on_sigterm()
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = ["*%s*" % p for p in args.pattern]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)

    start = time.monotonic()
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=Result)
    result = runner.run(suite)
    elapsed = time.monotonic() - start

    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in result.outcome.values():
        counts[outcome] += 1
    print("integration tests against %s took %.1f s" % (binary, elapsed))
    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    if counts["skipped"]:
        line += ", %d skipped" % counts["skipped"]
    print(line)
    return 1 if counts["failed"] or not result.outcome else 0


if __name__ == "__main__":
    sys.exit(main())
