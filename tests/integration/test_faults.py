"""envssm against tests/fakessm.py's faults: the fault matrix, deadlines and signals.

Run with `python3 tests/integration/run.py -k faults [--envssm PATH]`.

Every test starts its own in-process fake (HTTPS with a generated CA unless the class
says HTTP, SigV4 checking on) seeded with the same 30 parameters under /app -- three
pages of ten, every value a registered secret token, some with quotes, newlines and
UTF-8 -- and runs `envssm [...] /app -- python DUMP_ENV FILE`. The file existing
proves the program ran; its content is the program's exact envp.

- Transient faults: envssm recovers and the program runs with the complete
  environment, every value byte-exact, each name once, the inherited variables
  untouched. The requests the fake recorded all carry the same Path, Recursive,
  WithDecryption and MaxResults; a retry resends the very page that failed; each
  page is answered OK exactly once; and the connection is reused whenever the
  server kept it open (one connection, plus one per dropped connection).
- Permanent faults: exit 125 before the program runs, stderr exactly one line
  'envssm: ...' naming the fault and the path (quiet mode; a verbose run must name
  them too), the retry policy visible in the number of requests, and no run longer
  than its --timeout plus a generous 3 s (elapsed time only catches hangs).
- Signals during a slow fetch: 128+n, promptly, the program never starts; an
  inherited SIG_IGN for SIGTERM stays in force and reaches the program.
- Every run: no registered secret (values, the fake's secret key) and no signing
  material in envssm's stdout or stderr (motoserver.find_leaks).
"""

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
from faultlib import (DUMP_ENV, PROBE_SIGIGN, FakeSSM, check_program_env,  # noqa: E402
                      envssm_env, run_envssm, ssm_requests)

PATH = "/app"
PARAMS, EXPECTED, NAMES = faultlib.seed_params(PATH, 30, "faults")
PAGES = 3
# A second PATH for the concurrent fetch: 12 parameters, two pages.
OTHER = "/other"
OTHER_PARAMS = [{"Name": "%s/extra-%02d" % (OTHER, i), "Type": "SecureString" if i % 2 else "String",
                 "Value": faultlib.secret_token("faults %s/extra-%02d" % (OTHER, i))}
                for i in range(12)]
OTHER_EXPECTED = {"EXTRA_%02d" % i: p["Value"].encode() for i, p in enumerate(OTHER_PARAMS)}
SLACK_S = 3.0       # how far past its --timeout a run may go before it counts as a hang
RUN_LIMIT_S = 30.0  # runs without a short --timeout
# ENVSSM_QUICK=1 (make valgrind): failures are checked quiet only, not again with -v.
QUICK = os.environ.get("ENVSSM_QUICK") == "1"

TMP = None
TLS_DIR = None


def setUpModule():
    global TMP, TLS_DIR
    faultlib.require_binary()
    TMP = tempfile.mkdtemp(prefix="envssm-faults-")
    TLS_DIR = os.path.join(TMP, "tls")
    faultlib.fakessm.gen_cert(TLS_DIR)


def tearDownModule():
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


def page_of(name):
    return NAMES.index(name) // 10 + 1


class FaultCase(unittest.TestCase):
    maxDiff = None
    tls = True

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=TMP, prefix=self._testMethodName[:40] + "-")
        self.home = os.path.join(self.dir, "home")
        self.n = 0

    # -- the fake and envssm ----------------------------------------------

    def start_fake(self, **faults):
        fake = FakeSSM(seed=[dict(p) for p in PARAMS + OTHER_PARAMS],
                       tls_dir=TLS_DIR if self.tls else None, **faults)
        fake.start()
        self.addCleanup(fake.stop)
        return fake

    def env_for(self, fake, **extra):
        return envssm_env(fake.url, self.home, ca=fake.ca, extra=extra)

    def envssm(self, fake, args=(), limit_s=RUN_LIMIT_S, verbose=False, env=None,
               program=DUMP_ENV, paths=(PATH,), **kw):
        """envssm ARGS /app -- program FILE; fails the test on a hang or a leak."""
        self.n += 1
        out = os.path.join(self.dir, "program.%d" % self.n)
        env = env if env is not None else self.env_for(fake)
        res = run_envssm(list(args) + list(paths), env, out, limit_s, verbose=verbose,
                         program=program, cwd=self.dir, **kw)
        res.env = env
        self.assertEqual(res.leaks, [], "envssm's own output leaks secrets\n" + res.describe())
        return res

    # -- assertions --------------------------------------------------------

    def assert_complete(self, res, expected=EXPECTED):
        self.assertEqual(res.rc, 0, "envssm did not recover\n" + res.describe())
        self.assertTrue(res.ran, "the program did not run\n" + res.describe())
        problems = check_program_env(res, res.env, expected)
        self.assertEqual(problems, [], "the program's environment is wrong\n" + res.describe())

    def assert_requests(self, fake, res=None, pages=PAGES, shape=(PATH, True, True, 10)):
        """Same inputs on every page; retries resend the failed page; each page OK
        once; one connection plus one for each connection the server dropped."""
        ctx = "\n" + res.describe() if res is not None else ""
        reqs = ssm_requests(fake)
        self.assertTrue(reqs, "the fake recorded no GetParametersByPath" + ctx)
        shapes = set()
        for r in reqs:
            q = r["req"]
            self.assertIsInstance(q, dict, "a request body is not JSON: %r%s" % (r.get("body"), ctx))
            shapes.add((q.get("Path"), q.get("Recursive"), q.get("WithDecryption"),
                        q.get("MaxResults")))
        self.assertEqual(shapes, {shape},
                         "Path/Recursive/WithDecryption/MaxResults differ between requests" + ctx)
        self.assertNotIn("NextToken", reqs[0]["req"], "the first request has a NextToken" + ctx)
        for prev, nxt in zip(reqs, reqs[1:]):
            if prev["outcome"] != "ok":
                self.assertEqual(nxt["req"], prev["req"],
                                 "the retry after %s is not the same page%s"
                                 % (prev["outcome"], ctx))
        ok = [r for r in reqs if r["outcome"] == "ok"]
        self.assertEqual(len(ok), pages, "pages answered OK: %d, want %d%s"
                         % (len(ok), pages, ctx))
        tokens = [r["req"].get("NextToken") for r in ok]
        self.assertEqual(len(set(tokens)), len(tokens), "a page was fetched twice" + ctx)
        dropped = sum(1 for r in reqs if r["outcome"] in ("reset", "truncated"))
        conns = fake.stats()["connections_accepted"]
        self.assertEqual(conns, 1 + dropped,
                         "connections: %d for %d dropped by the server (a retry must reuse the "
                         "connection the server kept open)%s" % (conns, dropped, ctx))
        self.assertEqual(len({r["conn"] for r in reqs}), 1 + dropped, ctx)
        return reqs

    def assert_recovers(self, args=(), pages=PAGES, **faults):
        fake = self.start_fake(**faults)
        res = self.envssm(fake, args, verbose=True)
        self.assert_complete(res)
        reqs = self.assert_requests(fake, res, pages)
        return fake, res, reqs

    def assert_fails(self, fake, needles, args=(), timeout_s=10.0, env=None, verbose_too=True):
        """envssm --timeout T ... must exit 125 before the program runs, with one
        stderr line naming every needle, within T + SLACK_S. Returns the quiet run."""
        runs = []
        for verbose in ((False, True) if verbose_too and not QUICK else (False,)):
            fake.reset_stats()
            args2 = ["--timeout", "%g" % timeout_s] + list(args)
            res = self.envssm(fake, args2, limit_s=timeout_s + SLACK_S + 5, verbose=verbose,
                              env=env)
            ctx = res.describe()
            self.assertLess(res.elapsed, timeout_s + SLACK_S,
                            "envssm ran %.1f s with --timeout %g\n%s" % (res.elapsed, timeout_s, ctx))
            self.assertEqual(res.rc, 125, "wrong exit status\n" + ctx)
            self.assertFalse(res.ran, "the program ran after a failure\n" + ctx)
            self.assertEqual(res.out, b"", "envssm wrote to stdout\n" + ctx)
            lines = res.err_lines()
            if not verbose:
                self.assertTrue(res.err.endswith(b"\n") and len(lines) == 1,
                                "stderr is not exactly one line\n" + ctx)
                self.assertTrue(lines[0].startswith("envssm: "), "no 'envssm: ' prefix\n" + ctx)
                for n in list(needles) + [PATH]:
                    self.assertIn(n, lines[0], "the message does not name %r\n%s" % (n, ctx))
            else:
                hits = [l for l in lines
                        if l.startswith("envssm: ") and all(n in l for n in list(needles) + [PATH])]
                self.assertTrue(hits, "no verbose line names %r\n%s" % (list(needles), ctx))
            res.requests = ssm_requests(fake)
            runs.append(res)
        return runs[0]

    def assert_request_count(self, res, want, why):
        got = len(res.requests)
        self.assertEqual(got, want, "%s: the fake got %d GetParametersByPath, want %d\n%s"
                         % (why, got, want, res.describe()))


# ---------------------------------------------------------------------------
# Transient faults: envssm recovers with the complete environment


class Test1Transient(FaultCase):
    def test_throttled_first_3(self):
        # three throttled answers on page 1: more than the 3 default attempts would
        # allow if throttling counted against them (it is bounded by the deadline)
        fake, res, reqs = self.assert_recovers(throttle="first:3")
        self.assertEqual(fake.stats()["by_outcome"].get("throttled"), 3, res.describe())

    def test_500_first_2(self):
        fake, _res, _reqs = self.assert_recovers(error_5xx="first:2", error_5xx_kind="500")
        self.assertEqual(fake.stats()["by_status"].get("500"), 2)

    def test_502_html_first_2(self):
        fake, _res, _reqs = self.assert_recovers(error_5xx="first:2", error_5xx_kind="502")
        self.assertEqual(fake.stats()["by_status"].get("502"), 2)

    def test_503_first_1(self):
        fake, _res, _reqs = self.assert_recovers(error_5xx="first:1", error_5xx_kind="503")
        self.assertEqual(fake.stats()["by_status"].get("503"), 1)

    def test_504_first_2(self):
        fake, _res, _reqs = self.assert_recovers(error_5xx="first:2", error_5xx_kind="504")
        self.assertEqual(fake.stats()["by_status"].get("504"), 2)

    def test_5xx_on_a_middle_page(self):
        # the second and third requests: page 2 fails twice, then succeeds
        self.assert_recovers(error_5xx="nth:2,3", error_5xx_kind="mixed")

    def test_legacy_retry_mode_5_attempts(self):
        # AWS_RETRY_MODE=legacy is botocore's 5 attempts: four 5xx on page 1 recover
        fake = self.start_fake(error_5xx="first:4", error_5xx_kind="503")
        res = self.envssm(fake, verbose=True, env=self.env_for(fake, AWS_RETRY_MODE="legacy"))
        self.assert_complete(res)
        self.assert_requests(fake, res)
        self.assertEqual(fake.stats()["by_status"].get("503"), 4, res.describe())

    def test_truncated_body_once(self):
        fake, _res, _reqs = self.assert_recovers(truncate="first:1")
        self.assertEqual(fake.stats()["faults"].get("truncate"), 1)

    def test_truncated_middle_page(self):
        self.assert_recovers(truncate="nth:2")

    def test_html_200_once(self):
        # a proxy or captive portal answering 200 text/html once: a transient fault
        # of the path to SSM (SSM itself always answers application/x-amz-json-1.1)
        fake, _res, _reqs = self.assert_recovers(wrong_content_type="first:1")
        self.assertEqual(fake.stats()["faults"].get("wrong_content_type"), 1)

    def test_latency(self):
        self.assert_recovers(latency_ms="250@all")

    def test_slow_drip_within_deadline(self):
        # page 2 arrives at 4000 bytes/s (about half a second), well within --timeout 10
        fake, res, _reqs = self.assert_recovers(["--timeout", "10"], drip="4000@nth:2")
        self.assertEqual(fake.stats()["faults"].get("drip"), 1, res.describe())

    def test_skew_server_an_hour_ahead(self):
        fake, res, reqs = self.assert_recovers(skew=3600)
        st = fake.stats()
        self.assertEqual(st["by_outcome"].get("skew"), 1,
                         "want exactly one re-signed retry\n%s\n%r" % (res.describe(), st["by_outcome"]))
        self.assertEqual(reqs[0]["outcome"], "skew")

    def test_skew_server_an_hour_behind(self):
        fake, res, _reqs = self.assert_recovers(skew=-3600)
        self.assertEqual(fake.stats()["by_outcome"].get("skew"), 1, res.describe())

    def test_empty_pages(self):
        # AWS may answer an empty page with a NextToken before each real one
        fake, res, _reqs = self.assert_recovers(empty_pages="nth:1,3", pages=PAGES + 2)
        self.assertEqual(fake.stats()["faults"].get("empty_page"), 2, res.describe())

    def test_empty_tail(self):
        # moto's style: the full last page still carries a NextToken, an empty page ends
        self.assert_recovers(empty_tail=True, reset="nth:4", pages=PAGES + 1)

    def test_same_inputs_on_every_page_no_recursive_no_decrypt(self):
        # --no-recursive --no-decrypt: Recursive and WithDecryption false on every page
        # and on the retried ones; only direct children, SecureStrings left encrypted
        fake = self.start_fake(error_5xx="nth:2", reset="nth:3")
        res = self.envssm(fake, ["--no-recursive", "--no-decrypt"], verbose=True)
        self.assertEqual(res.rc, 0, res.describe())
        direct = [p for p in PARAMS if "/" not in p["Name"][len(PATH) + 1:]]
        pages = (len(direct) + 9) // 10
        self.assert_requests(fake, res, pages=pages, shape=(PATH, False, False, 10))
        got = dict(faultlib.parse_environ(res.program_raw))
        for p in direct:
            var = p["Name"][len(PATH) + 1:].replace("-", "_").upper().encode()
            self.assertIn(var, got, res.describe())
            if p["Type"] == "SecureString":
                self.assertNotEqual(got[var], p["Value"].encode(), "decrypted with --no-decrypt")
            else:
                self.assertEqual(got[var], p["Value"].encode(), "%s differs" % var)
        self.assertNotIn(b"DB_PASSWORD", got, "--no-recursive fetched a nested parameter")

    def test_two_paths_concurrently(self):
        # two PATHs fetched at once, each through throttling, a 5xx and a reset
        fake = self.start_fake(throttle="nth:1", error_5xx="nth:3", reset="nth:4")
        res = self.envssm(fake, verbose=True, paths=(PATH, OTHER))
        self.assert_complete(res, dict(EXPECTED, **OTHER_EXPECTED))
        reqs = ssm_requests(fake)
        for path, pages in ((PATH, PAGES), (OTHER, 2)):
            mine = [r for r in reqs if r["req"] and r["req"].get("Path") == path]
            shapes = {(r["req"].get("Recursive"), r["req"].get("WithDecryption")) for r in mine}
            self.assertEqual(shapes, {(True, True)}, res.describe())
            self.assertEqual(sum(1 for r in mine if r["outcome"] == "ok"), pages, res.describe())

    def test_malformed_json_once_fails_closed(self):
        # A 200 whose JSON body is cut off (Content-Length correct) is not retried by
        # the SDKs, and envssm does not retry it either: it must fail closed, at once,
        # naming a malformed response -- never parse half a page into the environment.
        fake = self.start_fake(malformed_json="first:1")
        res = self.assert_fails(fake, ["malformed response"], verbose_too=False)
        self.assert_request_count(res, 1, "a malformed 200 is not retried")


class ResetCases:
    """Dropped connections, first request and middle page, RST and FIN."""

    def test_reset_rst_first_request(self):
        self.assert_recovers(reset="first:1", reset_mode="rst")

    def test_reset_fin_first_request(self):
        self.assert_recovers(reset="first:1", reset_mode="fin")

    def test_reset_rst_middle_page(self):
        self.assert_recovers(reset="nth:2", reset_mode="rst")

    def test_reset_fin_middle_page(self):
        self.assert_recovers(reset="nth:2", reset_mode="fin")

    def test_reset_twice_on_a_middle_page(self):
        # two drops in a row on page 2: more than a silently re-sent request can hide
        self.assert_recovers(reset="nth:2,3", reset_mode="rst")


class Test2ResetsHTTPS(FaultCase, ResetCases):
    tls = True


class Test2ResetsHTTP(FaultCase, ResetCases):
    tls = False

    def test_truncated_body_once_http(self):
        self.assert_recovers(truncate="first:1")


# ---------------------------------------------------------------------------
# Permanent faults: exit 125, one line naming the fault, the program never ran


class Test3Permanent(FaultCase):
    def test_throttled_all_retries_until_deadline(self):
        # no AWS_MAX_ATTEMPTS: throttling is retried until the deadline, so more than
        # the 3 default attempts fit in 9 s (backoffs are at most 1.5 s, 3 s, 3 s)
        fake = self.start_fake(throttle="all")
        res = self.assert_fails(fake, ["ThrottlingException"], timeout_s=9, verbose_too=False)
        self.assertGreaterEqual(len(res.requests), 4,
                                "throttling was not retried until the deadline\n" + res.describe())

    def test_throttled_all_max_attempts_2(self):
        fake = self.start_fake(throttle="all")
        res = self.assert_fails(fake, ["ThrottlingException"], timeout_s=8, verbose_too=False,
                                env=self.env_for(fake, AWS_MAX_ATTEMPTS="2"))
        self.assert_request_count(res, 2, "AWS_MAX_ATTEMPTS=2 with throttling")

    def test_500_all(self):
        fake = self.start_fake(error_5xx="all", error_5xx_kind="500")
        res = self.assert_fails(fake, ["InternalServerError"])
        self.assert_request_count(res, 3, "500 with the default 3 attempts")
        self.assertEqual(len({r["conn"] for r in res.requests}), 1, "retries left the open connection")

    def test_502_all(self):
        fake = self.start_fake(error_5xx="all", error_5xx_kind="502")
        res = self.assert_fails(fake, ["502"])
        self.assert_request_count(res, 3, "502 with the default 3 attempts")

    def test_503_all(self):
        fake = self.start_fake(error_5xx="all", error_5xx_kind="503")
        res = self.assert_fails(fake, ["503"])
        self.assert_request_count(res, 3, "503 with the default 3 attempts")

    def test_504_all(self):
        fake = self.start_fake(error_5xx="all", error_5xx_kind="504")
        res = self.assert_fails(fake, ["504"])
        self.assert_request_count(res, 3, "504 with the default 3 attempts")

    def test_5xx_once_max_attempts_1(self):
        # the user's AWS_MAX_ATTEMPTS=1 means no retry at all, even for a 5xx
        fake = self.start_fake(error_5xx="first:1", error_5xx_kind="500")
        res = self.assert_fails(fake, ["InternalServerError"], verbose_too=False,
                                env=self.env_for(fake, AWS_MAX_ATTEMPTS="1"))
        self.assert_request_count(res, 1, "AWS_MAX_ATTEMPTS=1")

    def test_reset_rst_all(self):
        fake = self.start_fake(reset="all", reset_mode="rst")
        res = self.assert_fails(fake, ["connection reset"])
        self.assert_request_count(res, 3, "resets with the default 3 attempts")

    def test_reset_fin_all(self):
        fake = self.start_fake(reset="all", reset_mode="fin")
        res = self.assert_fails(fake, ["connection reset"])
        self.assert_request_count(res, 3, "closes with the default 3 attempts")

    def test_truncated_all(self):
        fake = self.start_fake(truncate="all")
        res = self.assert_fails(fake, ["closed early"])
        self.assert_request_count(res, 3, "truncated bodies with the default 3 attempts")

    def test_malformed_json_all(self):
        fake = self.start_fake(malformed_json="all")
        res = self.assert_fails(fake, ["malformed response"])
        self.assert_request_count(res, 1, "a malformed 200 is not retried")

    def test_html_200_all(self):
        # a proxy's page is transient (retried), then named for what it is
        fake = self.start_fake(wrong_content_type="all")
        res = self.assert_fails(fake, ["text/html", "proxy"])
        self.assert_request_count(res, 3, "an HTML 200 is retried like a 5xx")

    def test_oversized_body(self):
        fake = self.start_fake(oversize="9000000@all")  # over envssm's 8 MiB bound
        res = self.assert_fails(fake, ["too large"])
        self.assert_request_count(res, 1, "an oversized answer is not retried")

    def test_access_denied(self):
        fake = self.start_fake(access_denied=PATH)
        res = self.assert_fails(fake, ["AccessDeniedException"])
        self.assert_request_count(res, 1, "AccessDenied is not retried")

    def test_kms_denied_on_a_middle_page(self):
        # the SecureString /app/secret-13 sits on page 2: page 1 arrives fine, then KMS
        # refuses; nothing of page 1 may reach a program
        denied = PATH + "/secret-13"
        self.assertEqual([(p["Type"], page_of(p["Name"])) for p in PARAMS
                          if p["Name"].startswith(denied)], [("SecureString", 2)])
        fake = self.start_fake(kms_denied=denied)
        res = self.assert_fails(fake, ["AccessDeniedException", "KMS"])
        self.assert_request_count(res, 2, "page 1, then page 2 denied (not retried)")

    def test_never_ending_token_same(self):
        fake = self.start_fake(never_ending_token="same")
        res = self.assert_fails(fake, ["NextToken"])
        self.assertLessEqual(len(res.requests), 3, res.describe())

    def test_never_ending_token_new(self):
        # a fresh token on every (empty) page for ever: the page bound must end it and
        # say so; within a deadline of 3 s the message must still name the cause
        fake = self.start_fake(never_ending_token="new")
        self.assert_fails(fake, ["NextToken"], timeout_s=3, verbose_too=False)

    def test_second_path_denied(self):
        # /app comes in whole, /other is denied: no program with half the PATHs
        fake = self.start_fake(access_denied=OTHER)
        res = self.envssm(fake, ["--timeout", "10"], limit_s=10 + SLACK_S, paths=(PATH, OTHER))
        self.assertEqual(res.rc, 125, res.describe())
        self.assertFalse(res.ran, "the program ran with one PATH missing\n" + res.describe())
        lines = res.err_lines()
        self.assertEqual(len(lines), 1, res.describe())
        self.assertIn("AccessDeniedException", lines[0])
        self.assertIn(OTHER, lines[0])

    def test_connection_refused(self):
        import socket
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as dead:
            dead.bind(("127.0.0.1", 0))  # bound, never listening: refused
            port = dead.getsockname()[1]
            url = "https://127.0.0.1:%d" % port
            fake = self.start_fake()
            env = envssm_env(url, self.home, ca=fake.ca)
            # the line says where: which address and port refused
            self.assert_fails(fake, ["unable to connect", "127.0.0.1 port %d" % port], env=env)

    def test_nul_value_on_the_last_page(self):
        nul = PATH + "/secret-2"
        self.assertEqual({page_of(n) for n in NAMES if n.startswith(nul)}, {3})
        fake = self.start_fake(nul_value=nul)
        res = self.assert_fails(fake, ["NUL"])
        self.assert_request_count(res, 3, "two good pages, then the NUL (not retried)")


# ---------------------------------------------------------------------------
# Never a hang past the deadline


class Test4Deadline(FaultCase):
    def test_hanging_server(self):
        # the fake holds every request for 30 s
        fake = self.start_fake(latency_ms="30000@all")
        res = self.assert_fails(fake, ["timed out"], timeout_s=2, verbose_too=False)
        self.assertGreaterEqual(res.elapsed, 1.5, "gave up long before the deadline\n" + res.describe())

    def test_hanging_server_envssm_timeout_variable(self):
        # ENVSSM_TIMEOUT=2 instead of the flag
        fake = self.start_fake(latency_ms="30000@all")
        env = self.env_for(fake, ENVSSM_TIMEOUT="2")
        res = self.envssm(fake, limit_s=2 + SLACK_S + 5, env=env)
        self.assertEqual(res.rc, 125, res.describe())
        self.assertLess(res.elapsed, 2 + SLACK_S, res.describe())
        self.assertFalse(res.ran, res.describe())
        self.assertIn("timed out", res.err.decode(), res.describe())

    def test_never_ending_drip(self):
        # headers at once, then the body at 10 bytes a second
        fake = self.start_fake(drip="10@all")
        self.assert_fails(fake, ["timed out"], timeout_s=2, verbose_too=False)

    def test_tls_handshake_never_answered(self):
        import socket
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as hang:
            hang.bind(("127.0.0.1", 0))
            hang.listen(16)  # connections complete in the kernel, nobody ever reads
            url = "https://127.0.0.1:%d" % hang.getsockname()[1]
            fake = self.start_fake()
            env = envssm_env(url, self.home, ca=fake.ca)
            self.assert_fails(fake, ["timed out"], timeout_s=2, env=env, verbose_too=False)

    def test_hang_on_the_last_page(self):
        fake = self.start_fake(latency_ms="30000@nth:3")
        self.assert_fails(fake, ["timed out"], timeout_s=2, verbose_too=False)


# ---------------------------------------------------------------------------
# Signals while fetching


class Test5Signals(FaultCase):
    def wait_in_fetch(self, fake, proc, count=1):
        """Wait until envssm's request sits in the fake's latency."""
        deadline = time.monotonic() + 15
        while fake.stats()["faults"].get("latency", 0) < count:
            if proc.poll() is not None:
                self.fail("envssm ended before its request reached the fake (status %s)"
                          % proc.returncode)
            if time.monotonic() > deadline:
                self.fail("envssm's request never reached the fake")
            time.sleep(0.02)
        time.sleep(0.1)

    def signal_ends_envssm(self, sig):
        fake = self.start_fake(latency_ms="30000@all")
        sent = {}

        def send(p):
            self.wait_in_fetch(fake, p)
            sent["t"] = time.monotonic()
            p.send_signal(sig)

        def defaults():
            # default dispositions even if this runner started with some ignored
            for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                signal.signal(s, signal.SIG_DFL)

        res = self.envssm(fake, ["--timeout", "30"], limit_s=25, preexec_fn=defaults,
                          on_start=send)
        took = time.monotonic() - sent["t"]
        ctx = res.describe()
        self.assertEqual(res.rc, 128 + sig, "%s: wrong exit status\n%s" % (sig.name, ctx))
        self.assertLess(took, 3.0, "%s took %.1f s to end envssm\n%s" % (sig.name, took, ctx))
        self.assertFalse(res.ran, "the program started\n" + ctx)
        lines = res.err_lines()
        self.assertEqual(len(lines), 1, "want one stderr line\n" + ctx)
        self.assertTrue(lines[0].startswith("envssm: ") and sig.name in lines[0], ctx)

    def test_sigterm(self):
        self.signal_ends_envssm(signal.SIGTERM)

    def test_sigint(self):
        self.signal_ends_envssm(signal.SIGINT)

    def test_sighup(self):
        self.signal_ends_envssm(signal.SIGHUP)

    def test_sigquit(self):
        # ^\ ends envssm like ^C, with one line, not a core dump
        self.signal_ends_envssm(signal.SIGQUIT)

    def test_sigterm_during_throttling_backoff(self):
        # SIGTERM while envssm sleeps between throttled attempts
        fake = self.start_fake(throttle="all")

        def send(p):
            deadline = time.monotonic() + 15
            while fake.stats()["by_outcome"].get("throttled", 0) < 1:
                self.assertIsNone(p.poll(), "envssm ended before it was throttled")
                self.assertLess(time.monotonic(), deadline, "envssm was never throttled")
                time.sleep(0.02)
            time.sleep(0.1)
            send.t = time.monotonic()
            p.send_signal(signal.SIGTERM)

        res = self.envssm(fake, ["--timeout", "30"], limit_s=25, on_start=send,
                          preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
        took = time.monotonic() - send.t
        self.assertEqual(res.rc, 128 + signal.SIGTERM, res.describe())
        self.assertLess(took, 3.0, "SIGTERM took %.1f s to end envssm" % took)
        self.assertFalse(res.ran, res.describe())

    def test_sigterm_ignored_stays_ignored(self):
        # SIGTERM ignored by whoever started envssm: a SIGTERM during the fetch changes
        # nothing, envssm completes, and the program inherits SIGTERM ignored
        fake = self.start_fake(latency_ms="1500@first:1")

        def ignore_term():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)

        def send(p):
            self.wait_in_fetch(fake, p)
            p.send_signal(signal.SIGTERM)
            time.sleep(0.05)
            p.send_signal(signal.SIGTERM)

        res = self.envssm(fake, ["--timeout", "20"], limit_s=20, preexec_fn=ignore_term,
                          on_start=send, program=PROBE_SIGIGN)
        ctx = res.describe()
        self.assertEqual(res.rc, 0, "an ignored SIGTERM stopped envssm\n" + ctx)
        self.assertTrue(res.ran, "the program did not run\n" + ctx)
        data = json.loads(res.program_raw)
        res.program_raw = bytes.fromhex(data["environ"])
        self.assertEqual(check_program_env(res, res.env, EXPECTED), [], ctx)
        ignored = int(data["sigign"], 16)
        self.assertTrue(ignored & (1 << (signal.SIGTERM - 1)),
                        "the program does not have SIGTERM ignored (SigIgn %s)\n%s"
                        % (data["sigign"], ctx))
        self.assertFalse(ignored & (1 << (signal.SIGHUP - 1)),
                         "SIGHUP ignored in the program but not in envssm's parent\n" + ctx)


class Test6ServerQuotesTheRequest(FaultCase):
    """A server whose error message quotes the request back (every header, the
    body): envssm's message keeps the AWS error but none of the request's secrets
    -- the session token, the secret key, the signature. The header names it
    keeps are not secret, so these runs are checked for the secrets themselves
    rather than for the names of signing headers."""

    def test_session_token_secret_key_and_signature_are_scrubbed(self):
        token = "IQoJb3JpZ2luX2VjE" + faultlib.secret_token("echoed session token") + "/x+Yz=="
        faultlib.register_secret("echoed session token, whole", token)
        fake = self.start_fake(echo_request="all", session_token=token)
        env = self.env_for(fake, AWS_SESSION_TOKEN=token)
        for verbose in (False, True):
            self.n += 1
            res = run_envssm(["--timeout", "10", PATH], env,
                             os.path.join(self.dir, "program.%d" % self.n), 10 + SLACK_S,
                             verbose=verbose)
            ctx = res.describe()
            self.assertEqual(res.rc, 125, ctx)
            self.assertFalse(res.ran, ctx)
            out = res.out + res.err
            self.assertIn(b"AccessDeniedException: User is not authorized", res.err, ctx)
            self.assertIn(b"[redacted]", res.err, ctx)
            self.assertEqual(faultlib.find_leaks(out), [], ctx)
            sigs = [re.search(r"Signature=([0-9a-f]{64})", r["headers"]["Authorization"])
                    .group(1) for r in ssm_requests(fake)]
            self.assertTrue(sigs, "the fake saw no signed request")
            for sig in sigs:
                self.assertNotIn(sig.encode(), out, ctx)
            # nor a piece of one: no long run of hex digits at all
            self.assertIsNone(re.search(rb"[0-9a-f]{16}", out), ctx)
            if not verbose:
                self.assertEqual(len(res.err_lines()), 1, ctx)


if __name__ == "__main__":
    unittest.main()
