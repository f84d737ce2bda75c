#!/usr/bin/env python3
"""Self-test of tests/fakessm.py, with boto3/botocore as the client.

    python3 tests/test_fakessm.py [-v] [-k SUBSTRING]   -> last line "N passed, N failed"
    python3 tests/test_fakessm.py --bench [SECONDS]      -> requests/s of GetParametersByPath

stdlib unittest only (no pytest). Every server binds 127.0.0.1; the whole run takes
well under 30 s.
"""

import http.client
import json
import os
import shutil
import ssl
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fakessm  # noqa: E402
from fakessm import (DEFAULT_ACCESS_KEY, DEFAULT_CONTAINER_CREDS, DEFAULT_IMDS_CREDS,  # noqa: E402
                     DEFAULT_SECRET_KEY, FakeSSM, FakeSSMProcess, generated_value)

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import ContainerProvider, Credentials  # noqa: E402
from botocore.utils import ContainerMetadataFetcher, InstanceMetadataFetcher  # noqa: E402

REGION = "us-east-1"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
for _v in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_v, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


_SESSION = []


def session():
    """One boto3 session for every client: creating sessions is slow."""
    if not _SESSION:
        _SESSION.append(boto3.session.Session())
    return _SESSION[0]


def client(fake, key=DEFAULT_ACCESS_KEY, secret=DEFAULT_SECRET_KEY, token=None, verify=None,
           url=None, read_timeout=5):
    return session().client(
        "ssm", endpoint_url=url or fake.url, region_name=REGION, aws_access_key_id=key,
        aws_secret_access_key=secret, aws_session_token=token, verify=verify,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=3,
                      read_timeout=read_timeout, tcp_keepalive=False))


def signed_headers(url, target, body, key=DEFAULT_ACCESS_KEY, secret=DEFAULT_SECRET_KEY,
                   token=None):
    r = AWSRequest("POST", url + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM." + target})
    SigV4Auth(Credentials(key, secret, token), "ssm", REGION).add_auth(r)
    return dict(r.headers.items())


def raw(fake, obj=None, target="GetParametersByPath", timeout=5, conn=None):
    """One signed request over http.client: (status, headers dict, body bytes)."""
    body = json.dumps(obj if obj is not None else {"Path": "/app", "Recursive": True}).encode()
    h = signed_headers(fake.url, target, body)
    c = conn or http.client.HTTPConnection("127.0.0.1", fake.port, timeout=timeout)
    try:
        c.request("POST", "/", body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        if conn is None:
            c.close()


def get(url, headers=None, method="GET", timeout=5):
    """urllib without proxies: (status, headers, body); HTTP errors are returned too."""
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with NO_PROXY.open(req, timeout=timeout) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def code_of(exc):
    return exc.response["Error"]["Code"]


def pages(c, path="/app", size=10, recursive=True, decrypt=False):
    return list(c.get_paginator("get_parameters_by_path").paginate(
        Path=path, Recursive=recursive, WithDecryption=decrypt,
        PaginationConfig={"PageSize": size}))


class Base(unittest.TestCase):
    fake_kwargs = {"generate": ["/app:57"]}

    def setUp(self):
        self.fake = FakeSSM(**self.fake_kwargs).start()
        self.addCleanup(self.fake.stop)
        self.c = client(self.fake)

    def expect_error(self, code, fn, *a, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*a, **kw)
        self.assertEqual(code_of(cm.exception), code, cm.exception)
        return cm.exception


# --------------------------------------------------------------------------


class TestPagination(Base):
    def test_57_params_6_pages_no_empty_tail(self):
        ps = pages(self.c)
        self.assertEqual([len(p["Parameters"]) for p in ps], [10, 10, 10, 10, 10, 7])
        self.assertEqual(["NextToken" in p for p in ps], [True] * 5 + [False])
        got = [x for p in ps for x in p["Parameters"]]
        self.assertEqual([x["Name"] for x in got], ["/app/p%04d" % i for i in range(57)])
        self.assertEqual(got[3]["Value"], generated_value("/app/p0003", 3))
        self.assertEqual(got[0]["ARN"], "arn:aws:ssm:us-east-1:123456789012:parameter/app/p0000")
        self.assertEqual(self.fake.stats()["pages"], 6)

    def test_exact_multiple_has_no_tail_unless_empty_tail(self):
        self.fake.clear_params()
        self.fake.generate("/app:60")
        self.assertEqual([len(p["Parameters"]) for p in pages(self.c)], [10] * 6)
        self.fake.set(empty_tail=True)
        ps = pages(self.c)
        self.assertEqual([len(p["Parameters"]) for p in ps], [10] * 6 + [0])
        self.assertNotIn("NextToken", ps[-1])

    def test_empty_pages(self):
        self.fake.set(empty_pages="all")
        ps = pages(self.c)
        self.assertEqual([len(p["Parameters"]) for p in ps],
                         [0, 10, 0, 10, 0, 10, 0, 10, 0, 10, 0, 7])
        self.assertTrue(all("NextToken" in p for p in ps[:-1]))
        self.assertEqual(sum(len(p["Parameters"]) for p in ps), 57)
        self.fake.set(empty_pages="first:1")
        self.assertEqual([len(p["Parameters"]) for p in pages(self.c)],
                         [0, 10, 10, 10, 10, 10, 7])
        self.assertEqual(self.fake.stats()["faults"]["empty_page"], 7)

    def test_page_size_and_validation(self):
        self.assertEqual([len(p["Parameters"]) for p in pages(self.c, size=3)][:2], [3, 3])
        self.assertEqual(len(pages(self.c, size=3)), 19)
        e = self.expect_error("ValidationException", self.c.get_parameters_by_path,
                              Path="/app", MaxResults=11)
        self.assertIn("less than or equal to 10", str(e))
        st, _h, body = raw(self.fake, {"Path": "/app", "MaxResults": 0})
        self.assertEqual((st, json.loads(body)["__type"]), (400, "ValidationException"))
        self.expect_error("InvalidNextToken", self.c.get_parameters_by_path, Path="/app",
                          NextToken="garbage!")
        # a token is bound to its Path/Recursive
        tok = self.c.get_parameters_by_path(Path="/app", Recursive=True)["NextToken"]
        self.expect_error("InvalidNextToken", self.c.get_parameters_by_path, Path="/app",
                          Recursive=False, NextToken=tok)

    def test_recursive_and_hierarchy(self):
        self.fake.add_params([{"Name": "/svc/a", "Value": "1"},
                              {"Name": "/svc/sub/b", "Value": "2"},
                              {"Name": "/svc/sub/deep/c", "Value": "3"},
                              {"Name": "/svcx/d", "Value": "4"}])
        names = lambda **kw: [x["Name"] for p in pages(self.c, **kw) for x in p["Parameters"]]  # noqa
        self.assertEqual(names(path="/svc", recursive=False), ["/svc/a"])
        self.assertEqual(names(path="/svc/", recursive=True),
                         ["/svc/a", "/svc/sub/b", "/svc/sub/deep/c"])
        self.assertEqual(names(path="/svc/sub", recursive=False), ["/svc/sub/b"])
        self.assertEqual(names(path="/nothing"), [])
        r = self.c.get_parameters_by_path(Path="/svc", Recursive=True, ParameterFilters=[
            {"Key": "Type", "Option": "Equals", "Values": ["String"]}])
        self.assertEqual(len(r["Parameters"]), 3)

    def test_never_ending_token(self):
        self.fake.set(never_ending_token="same")
        a = self.c.get_parameters_by_path(Path="/app", Recursive=True)
        b = self.c.get_parameters_by_path(Path="/app", Recursive=True, NextToken=a["NextToken"])
        self.assertEqual(a["NextToken"], b["NextToken"])
        self.fake.set(never_ending_token="new")
        toks, tok = [], None
        for _ in range(9):
            kw = {"NextToken": tok} if tok else {}
            r = self.c.get_parameters_by_path(Path="/app", Recursive=True, **kw)
            tok = r["NextToken"]
            toks.append(tok)
        self.assertEqual(len(set(toks)), 9)
        self.assertEqual(r["Parameters"], [])


class TestGetParameters(Base):
    fake_kwargs = {"seed": [
        {"Name": "/x/one", "Value": "v1"},
        {"Name": "/x/one", "Value": "v2", "Labels": ["prod"]},
        {"Name": "/x/one", "Value": "v3"},
        {"Name": "/x/list", "Type": "StringList", "Value": "a,b,c"},
        {"Name": "/x/secret", "Type": "SecureString", "Value": "s3cr3t"},
    ]}

    def test_names_selectors_invalid(self):
        r = self.c.get_parameters(Names=["/x/one", "/x/one:1", "/x/one:prod", "/missing",
                                          "/x/one:9", "/x/list"])
        got = {(p["Name"], p.get("Selector")): p["Value"] for p in r["Parameters"]}
        self.assertEqual(got, {("/x/one", None): "v3", ("/x/one", ":1"): "v1",
                               ("/x/one", ":prod"): "v2", ("/x/list", None): "a,b,c"})
        self.assertEqual(sorted(r["InvalidParameters"]), ["/missing", "/x/one:9"])
        arn = "arn:aws:ssm:us-east-1:123456789012:parameter/x/one"
        self.assertEqual(self.c.get_parameters(Names=[arn])["Parameters"][0]["Value"], "v3")
        self.expect_error("ValidationException", self.c.get_parameters,
                          Names=["/n%d" % i for i in range(11)])
        self.assertEqual(self.c.get_parameter(Name="/x/one:2")["Parameter"]["Value"], "v2")
        self.expect_error("ParameterNotFound", self.c.get_parameter, Name="/nope")
        self.expect_error("ParameterVersionNotFound", self.c.get_parameter, Name="/x/one:7")

    def test_secure_string(self):
        enc = self.c.get_parameters(Names=["/x/secret"])["Parameters"][0]["Value"]
        self.assertNotIn("s3cr3t", enc)
        dec = self.c.get_parameters(Names=["/x/secret"], WithDecryption=True)
        self.assertEqual(dec["Parameters"][0]["Value"], "s3cr3t")

    def test_access_and_kms_denied(self):
        self.fake.set(access_denied="/x/li", kms_denied=["/x/sec"])
        e = self.expect_error("AccessDeniedException", self.c.get_parameters, Names=["/x/list"])
        self.assertIn("not authorized to perform: ssm:GetParameters", str(e))
        self.expect_error("AccessDeniedException", self.c.get_parameters_by_path, Path="/x/li")
        # KMS: only when decrypting, and the whole call fails
        self.assertEqual(len(self.c.get_parameters_by_path(Path="/x")["Parameters"]), 3)
        e = self.expect_error("AccessDeniedException", self.c.get_parameters_by_path,
                              Path="/x", WithDecryption=True)
        self.assertIn("Service: AWSKMS", str(e))
        self.assertEqual(self.fake.stats()["by_outcome"]["kms_denied"], 1)
        self.assertEqual(self.fake.stats()["by_outcome"]["access_denied"], 2)

    def test_echo_request(self):
        self.fake.set(echo_request="first:1", session_token="tok/en+==")
        e = self.expect_error("AccessDeniedException",
                              client(self.fake, token="tok/en+==").get_parameters_by_path,
                              Path="/app")
        for part in ("X-Amz-Security-Token: tok/en+==", "Authorization: AWS4-HMAC-SHA256 ",
                     "Signature=", '"Path": "/app"'):
            self.assertIn(part, str(e))
        client(self.fake, token="tok/en+==").get_parameters_by_path(Path="/app")
        self.assertEqual(self.fake.stats()["by_outcome"]["echo_request"], 1)

    def test_nul_value(self):
        self.fake.set(nul_value="/x/one")
        st, h, body = raw(self.fake, {"Names": ["/x/one", "/x/list"]}, "GetParameters")
        self.assertIn(b"\\u0000", body)
        vals = {p["Name"]: p["Value"] for p in json.loads(body)["Parameters"]}
        self.assertEqual(vals["/x/one"], "v\u00003")
        self.assertEqual(vals["/x/list"], "a,b,c")


class TestSignature(Base):
    def test_wrong_secret_unknown_key_right_key(self):
        e = self.expect_error("InvalidSignatureException",
                              client(self.fake, secret="wrong").get_parameters_by_path,
                              Path="/app")
        self.assertIn("The request signature we calculated does not match", str(e))
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.expect_error("UnrecognizedClientException",
                          client(self.fake, key="AKIDUNKNOWN").get_parameters_by_path,
                          Path="/app")
        self.assertEqual(len(self.c.get_parameters_by_path(Path="/app")["Parameters"]), 10)
        st, _h, body = raw(self.fake)
        self.assertEqual(st, 200)
        # unsigned, tampered body
        c = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=5)
        c.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "AmazonSSM.GetParameters"})
        r = c.getresponse()
        self.assertEqual((r.status, json.loads(r.read())["__type"]),
                         (400, "MissingAuthenticationTokenException"))
        body = b'{"Path":"/app"}'
        h = signed_headers(self.fake.url, "GetParametersByPath", body)
        c.request("POST", "/", body=b'{"Path":"/ap"}', headers=h)
        r = c.getresponse()
        self.assertEqual(json.loads(r.read())["__type"], "InvalidSignatureException")
        c.close()
        s = self.fake.stats()
        self.assertEqual(s["by_outcome"]["bad_signature"], 2)
        self.assertEqual(s["by_outcome"]["unrecognized_client"], 1)
        self.assertEqual(s["by_outcome"]["missing_auth"], 1)
        self.assertEqual(s["by_access_key"][DEFAULT_ACCESS_KEY], 2)

    def test_session_token_and_temporary_creds(self):
        self.fake.set(session_token="tok/en+==")
        self.expect_error("UnrecognizedClientException", self.c.get_parameters_by_path,
                          Path="/app")
        self.expect_error("UnrecognizedClientException",
                          client(self.fake, token="other").get_parameters_by_path, Path="/app")
        client(self.fake, token="tok/en+==").get_parameters_by_path(Path="/app")
        ak, sk, tok = DEFAULT_CONTAINER_CREDS
        client(self.fake, ak, sk, tok).get_parameters_by_path(Path="/app")
        self.expect_error("UnrecognizedClientException",
                          client(self.fake, ak, sk).get_parameters_by_path, Path="/app")
        self.fake.set(auth=False)
        client(self.fake, "whatever", "x").get_parameters_by_path(Path="/app")

    def test_skew(self):
        self.fake.set(skew=3600)
        e = self.expect_error("InvalidSignatureException", self.c.get_parameters_by_path,
                              Path="/app")
        self.assertIn("Signature expired:", str(e))
        self.assertIn("is now earlier than", str(e))
        date = e.response["ResponseMetadata"]["HTTPHeaders"]["date"]
        server = time.mktime(time.strptime(date, "%a, %d %b %Y %H:%M:%S GMT")) - time.timezone
        self.assertAlmostEqual(server - time.time(), 3600, delta=5)
        self.assertEqual(self.fake.stats()["by_outcome"]["skew"], 1)
        self.fake.set(skew=-900)
        e = self.expect_error("InvalidSignatureException", self.c.get_parameters_by_path,
                              Path="/app")
        self.assertIn("Signature not yet current:", str(e))
        self.fake.set(skew=200)
        self.c.get_parameters_by_path(Path="/app")

    def test_https_with_generated_ca(self):
        d = tempfile.mkdtemp(prefix="fakessm-tls-")
        self.addCleanup(shutil.rmtree, d, True)
        p = fakessm.gen_cert(d)
        with FakeSSM(tls=(p["cert"], p["key"]), generate=["/app:3"]) as f:
            self.assertTrue(f.url.startswith("https://127.0.0.1:"))
            r = client(f, verify=p["ca"]).get_parameters_by_path(Path="/app")
            self.assertEqual(len(r["Parameters"]), 3)
            r = client(f, verify=p["ca"], url="https://localhost:%d" % f.port
                       ).get_parameters_by_path(Path="/app")
            self.assertEqual(len(r["Parameters"]), 3)
            with self.assertRaises(botocore.exceptions.SSLError):
                client(f).get_parameters_by_path(Path="/app")  # system CAs: untrusted
            ctx = ssl.create_default_context(cafile=p["ca"])
            with urllib.request.urlopen(f.url + "/__fake/health", context=ctx, timeout=5) as r:
                self.assertTrue(json.loads(r.read())["ok"])
            self.assertGreaterEqual(f.stats()["tls_handshake_failures"], 1)
        # the command line: --tls CERT KEY, control calls over HTTPS
        with FakeSSMProcess("--tls", p["cert"], p["key"], "--generate", "/app:2") as proc:
            self.assertTrue(proc.url.startswith("https://"))
            r = client(proc, verify=p["ca"]).get_parameters_by_path(Path="/app")
            self.assertEqual(len(r["Parameters"]), 2)
            self.assertEqual(proc.stats()["by_outcome"], {"ok": 1})


class TestFaults(Base):
    def test_throttling_bucket(self):
        self.fake.set(rate_limit=1, burst=3)
        for _ in range(3):
            self.c.get_parameters_by_path(Path="/app")
        e = self.expect_error("ThrottlingException", self.c.get_parameters_by_path, Path="/app")
        self.assertEqual(e.response["Error"]["Message"], "Rate exceeded")
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        time.sleep(1.05)
        self.c.get_parameters_by_path(Path="/app")
        s = self.fake.stats()
        self.assertEqual((s["by_outcome"]["ok"], s["by_outcome"]["throttled"]), (4, 1))

    def test_throttle_trigger_and_sdk_retry(self):
        self.fake.set(throttle="first:2")
        self.expect_error("ThrottlingException", self.c.get_parameters_by_path, Path="/app")
        self.expect_error("ThrottlingException", self.c.get_parameters_by_path, Path="/app")
        self.c.get_parameters_by_path(Path="/app")
        # a retrying SDK gets through a transient fault
        self.fake.set(error_5xx="first:1")
        c3 = session().client(
            "ssm", endpoint_url=self.fake.url, region_name=REGION,
            aws_access_key_id=DEFAULT_ACCESS_KEY, aws_secret_access_key=DEFAULT_SECRET_KEY,
            config=Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        r = c3.get_parameters_by_path(Path="/app", Recursive=True)
        self.assertEqual(r["ResponseMetadata"]["RetryAttempts"], 1)

    def test_5xx_kinds(self):
        self.fake.set(error_5xx="first:1")
        e = self.expect_error("InternalServerError", self.c.get_parameters_by_path, Path="/app")
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.c.get_parameters_by_path(Path="/app")
        self.fake.set(error_5xx="all", error_5xx_kind="503")
        st, h, body = raw(self.fake)
        self.assertEqual((st, body, h["content-length"]), (503, b"", "0"))
        self.fake.set(error_5xx_kind="mixed")
        self.assertEqual([raw(self.fake)[0] for _ in range(4)], [500, 503, 502, 504])
        self.assertEqual(self.fake.stats()["by_outcome"]["5xx"], 6)

    def test_reset(self):
        self.fake.set(reset="first:1")
        with self.assertRaises((ConnectionResetError, http.client.RemoteDisconnected)) as cm:
            raw(self.fake)
        self.assertIsInstance(cm.exception, ConnectionResetError)  # RST, not FIN
        self.assertEqual(raw(self.fake)[0], 200)
        self.fake.set(reset="first:1", reset_mode="fin")
        with self.assertRaises(http.client.RemoteDisconnected):
            raw(self.fake)
        self.fake.set(reset="all", reset_mode="rst")
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            self.c.get_parameters_by_path(Path="/app")
        self.assertEqual(self.fake.stats()["by_outcome"]["reset"], 3)

    def test_truncate(self):
        self.fake.set(truncate="first:1")
        with self.assertRaises(http.client.IncompleteRead):
            raw(self.fake)
        self.assertEqual(raw(self.fake)[0], 200)
        self.assertEqual(self.fake.stats()["by_outcome"]["truncated"], 1)

    def test_malformed_json_and_wrong_content_type(self):
        self.fake.set(malformed_json="first:1")
        st, h, body = raw(self.fake)
        self.assertEqual((st, h["content-length"]), (200, str(len(body))))
        with self.assertRaises(ValueError):
            json.loads(body)
        self.fake.set(wrong_content_type="first:1")
        st, h, body = raw(self.fake)
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/html"))
        self.assertIn(b"<html>", body)
        self.assertEqual(raw(self.fake)[0], 200)
        s = self.fake.stats()["by_outcome"]
        self.assertEqual((s["malformed_json"], s["wrong_content_type"], s["ok"]), (1, 1, 1))

    def test_latency_drip_oversize(self):
        self.fake.set(latency_ms="300@first:1")
        t = time.monotonic()
        raw(self.fake)
        self.assertGreaterEqual(time.monotonic() - t, 0.29)
        t = time.monotonic()
        raw(self.fake)
        self.assertLess(time.monotonic() - t, 0.25)
        self.fake.set(drip=4000)
        t = time.monotonic()
        st, h, body = raw(self.fake, {"Path": "/app", "Recursive": True, "MaxResults": 10})
        elapsed = time.monotonic() - t
        self.assertEqual(len(json.loads(body)["Parameters"]), 10)
        self.assertGreater(len(body), 1600)
        self.assertGreaterEqual(elapsed, len(body) / 4000 - 0.1)
        self.fake.set(drip=None, oversize=100000)
        st, h, body = raw(self.fake)
        self.assertGreater(len(body), 100000)
        self.assertEqual(len(json.loads(body)["Parameters"]), 10)
        s = self.fake.stats()["faults"]
        self.assertEqual((s["latency"], s["drip"], s["oversize"]), (1, 1, 1))

    def test_rates_are_deterministic(self):
        def run():
            self.fake.set(error_5xx="0.5", random_seed=7)
            return [raw(self.fake)[0] for _ in range(16)]
        a, b = run(), run()
        self.assertEqual(a, b)
        self.assertTrue(500 in a and 200 in a)
        self.fake.set(error_5xx="0.5", random_seed=8)
        self.assertNotEqual([raw(self.fake)[0] for _ in range(16)], a)

    def test_bad_options_are_refused(self):
        for kw in ({"error_5xx": "sometimes"}, {"latency_ms": "x@all"}, {"nope": 1},
                   {"container_fault": "teapot"}, {"error_5xx": "5"}):
            with self.assertRaises(ValueError, msg=kw):
                self.fake.set(**kw)


class TestStatsAndControl(Base):
    def test_stats_keepalive_and_timestamps(self):
        self.fake.reset_stats()
        t0 = time.time()
        pages(self.c)
        s = self.fake.stats()
        self.assertEqual(s["requests"], 6)
        self.assertEqual(s["by_operation"], {"GetParametersByPath": 6})
        self.assertEqual(s["by_outcome"], {"ok": 6})
        self.assertEqual(s["by_status"], {"200": 6})
        self.assertEqual(s["parameters_returned"], 57)
        self.assertEqual(s["connections_accepted"], 1)    # one connection for all pages
        self.assertEqual(s["keepalive_reuses"], 5)
        self.assertEqual(s["max_requests_per_connection"], 6)
        self.assertGreaterEqual(s["first_request_at"], t0 - 1)
        self.assertGreaterEqual(s["last_request_at"], s["first_request_at"])
        self.assertEqual(sum(v["requests"] for v in s["timeline"].values()), 6)
        log = self.fake.requests()
        self.assertEqual(len(log), 6)
        self.assertEqual(log[0]["op"], "GetParametersByPath")
        self.assertIn("Authorization", log[0]["headers"])

    def test_concurrency(self):
        self.fake.set(latency_ms=150)
        errors, lock = [], threading.Lock()

        def one():
            try:
                st = raw(self.fake, timeout=10)[0]
                if st != 200:
                    raise AssertionError(st)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(e)
        ts = [threading.Thread(target=one) for _ in range(60)]
        t = time.monotonic()
        for th in ts:
            th.start()
        for th in ts:
            th.join()
        self.assertEqual(errors, [])
        self.assertLess(time.monotonic() - t, 3)      # served in parallel, not 60 x 150 ms
        s = self.fake.stats()
        self.assertEqual(s["connections_accepted"], 60)
        self.assertGreaterEqual(s["max_concurrent_connections"], 20)
        self.assertGreaterEqual(s["max_in_flight"], 20)

    def test_control_api_over_http(self):
        u = self.fake.url + "/__fake/"
        post = lambda path, obj: NO_PROXY.open(urllib.request.Request(  # noqa: E731
            u + path, data=json.dumps(obj).encode(), method="POST"), timeout=5).read()
        cfg = json.loads(post("config", {"error_5xx": "first:1", "latency_ms": "10@all"}))
        self.assertEqual((cfg["error_5xx"], cfg["latency_ms"]), ("first:1", "10.0@all"))
        self.assertEqual(raw(self.fake)[0], 500)
        st, _h, body = get(u + "config", method="POST")
        self.assertEqual(st, 200)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            post("config", {"error_5xx": "bogus"})
        self.assertEqual(cm.exception.code, 400)
        r = json.loads(post("params", [{"Name": "/new/a", "Value": "1"},
                                       {"Name": "/new/b", "Type": "SecureString", "Value": "2"}]))
        self.assertEqual(r["added"], 2)
        json.loads(post("params", {"generate": "/gen:12:SecureString"}))
        self.fake.set(error_5xx="off", latency_ms=None)
        self.assertEqual(len(pages(self.c, "/gen")[0]["Parameters"]), 10)
        s = json.loads(get(u + "stats")[2])
        self.assertEqual(s["by_outcome"]["5xx"], 1)
        self.assertEqual(json.loads(post("reset-stats", {}))["ok"], True)
        self.assertEqual(json.loads(get(u + "stats")[2])["requests"], 0)
        self.assertEqual(get(u + "nope")[0], 404)
        self.assertEqual(get(self.fake.url + "/")[0], 404)

    def test_subprocess_and_sigterm(self):
        d = tempfile.mkdtemp(prefix="fakessm-seed-")
        self.addCleanup(shutil.rmtree, d, True)
        seed = os.path.join(d, "seed.json")
        with open(seed, "w") as f:
            json.dump([{"Name": "/s/a", "Type": "String", "Value": "A"}], f)
        p = FakeSSMProcess("--seed", seed, "--generate", "/app:57", "--throttle", "first:1")
        p.start()
        try:
            self.assertEqual(set(p.info) >= {"port", "pid", "url"}, True)
            self.assertEqual(p.url, "http://127.0.0.1:%d" % p.port)
            c = client(p)
            self.expect_error("ThrottlingException", c.get_parameters_by_path, Path="/s")
            self.assertEqual(c.get_parameters_by_path(Path="/s")["Parameters"][0]["Value"], "A")
            self.assertEqual(len(pages(c)), 6)
            p.set(error_5xx="first:1")
            self.expect_error("InternalServerError", c.get_parameters_by_path, Path="/s")
            s = p.stats()
            self.assertEqual(s["by_outcome"], {"throttled": 1, "ok": 7, "5xx": 1})
        finally:
            pid, t = p.pid, time.monotonic()
            code = p.stop()
        self.assertEqual(code, 0)
        self.assertLess(time.monotonic() - t, 3)
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)

    def test_help_documents_everything(self):
        import subprocess
        out = subprocess.run([sys.executable, os.path.join(HERE, "fakessm.py"), "--help"],
                             capture_output=True, text=True, check=True).stdout
        for opt in fakessm.OPTIONS:
            if opt in ("auth",):
                continue
            self.assertIn("--" + opt.replace("_", "-"), out)
        for word in ("--no-auth", "--tls", "--gen-cert", "--seed", "--generate", "TRIGGER",
                     "first:N", "/__fake/stats", DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY):
            self.assertIn(word, out)


class TestContainer(Base):
    fake_kwargs = {"generate": ["/app:3"], "container_token": "Bearer-less token"}

    def provider(self, **env):
        env.setdefault("AWS_CONTAINER_CREDENTIALS_FULL_URI", self.fake.url + "/creds/task")
        env.setdefault("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer-less token")
        fetcher = ContainerMetadataFetcher(sleep=lambda s: None)
        fetcher.TIMEOUT_SECONDS = 0.5
        return ContainerProvider(environ=env, fetcher=fetcher)

    def test_botocore_container_provider_then_ssm(self):
        creds = self.provider().load().get_frozen_credentials()
        self.assertEqual(creds.access_key, DEFAULT_CONTAINER_CREDS[0])
        r = client(self.fake, creds.access_key, creds.secret_key, creds.token
                   ).get_parameters_by_path(Path="/app")
        self.assertEqual(len(r["Parameters"]), 3)
        self.assertEqual(self.fake.stats()["by_access_key"], {DEFAULT_CONTAINER_CREDS[0]: 1})
        log = [e for e in self.fake.requests() if e["kind"] == "container"]
        self.assertEqual(log[0]["headers"]["Authorization"], "Bearer-less token")

    def test_token_and_faults(self):
        u = self.fake.url + "/creds/x"
        self.assertEqual(get(u)[0], 401)
        self.assertEqual(get(u, {"Authorization": "wrong"})[0], 401)
        auth = {"Authorization": "Bearer-less token"}
        st, h, body = get(u, auth)
        j = json.loads(body)
        self.assertEqual(set(j) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}, True)
        self.assertRegex(j["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        for kind, want in (("404", 404), ("500", 500)):
            self.fake.set(container_fault=kind + "@first:1")
            self.assertEqual(get(u, auth)[0], want)
            self.assertEqual(get(u, auth)[0], 200)
        self.fake.set(container_fault="garbage")
        st, _h, body = get(u, auth)
        self.assertEqual(st, 200)
        self.assertRaises(ValueError, json.loads, body)
        self.fake.set(container_fault="missing-fields")
        self.assertNotIn("Token", json.loads(get(u, auth)[2]))
        self.fake.set(container_fault="slow", container_delay_ms=400)
        t = time.monotonic()
        self.assertEqual(get(u, auth)[0], 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.39)
        self.fake.set(container_fault="hang", hang_seconds=2)
        with self.assertRaises(Exception):  # noqa: B017 - a timeout of some kind
            get(u, auth, timeout=0.3)
        self.fake.set(container_fault=None, container_expired=True)
        self.assertLess(json.loads(get(u, auth)[2])["Expiration"],
                        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        ak, sk, tok = DEFAULT_CONTAINER_CREDS
        self.expect_error("ExpiredTokenException",
                          client(self.fake, ak, sk, tok).get_parameters_by_path, Path="/app")
        s = self.fake.stats()["container"]
        self.assertEqual(s["by_outcome"]["unauthorized"], 2)
        self.assertEqual(s["by_outcome"]["404"], 1)


class TestIMDS(Base):
    fake_kwargs = {"generate": ["/app:3"], "imds_region": "eu-west-1"}

    def fetcher(self):
        return InstanceMetadataFetcher(timeout=0.5, num_attempts=1,
                                       base_url=self.fake.url + "/")

    def test_botocore_imds_then_ssm(self):
        creds = self.fetcher().retrieve_iam_role_credentials()
        self.assertEqual(creds["access_key"], DEFAULT_IMDS_CREDS[0])
        self.assertEqual(creds["role_name"], "fakessm-role")
        r = client(self.fake, creds["access_key"], creds["secret_key"], creds["token"]
                   ).get_parameters_by_path(Path="/app")
        self.assertEqual(len(r["Parameters"]), 3)
        s = self.fake.stats()["imds"]
        self.assertEqual((s["token_requests"], s["requests"]), (1, 3))

    def test_token_rules(self):
        base = self.fake.url + "/latest/"
        self.assertEqual(get(base + "api/token", method="PUT")[0], 400)  # no TTL header
        self.assertEqual(get(base + "api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "21600",
                                                  "X-Forwarded-For": "1.2.3.4"},
                             method="PUT")[0], 403)
        st, h, tok = get(base + "api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"},
                         method="PUT")
        self.assertEqual((st, h.get("X-aws-ec2-metadata-token-ttl-seconds")), (200, "60"))
        creds_url = base + "meta-data/iam/security-credentials/"
        self.assertEqual(get(creds_url)[0], 401)                        # v2 only
        self.assertEqual(get(creds_url, {"X-aws-ec2-metadata-token": "forged"})[0], 401)
        th = {"X-aws-ec2-metadata-token": tok.decode()}
        st, _h, role = get(creds_url, th)
        self.assertEqual((st, role), (200, b"fakessm-role"))
        j = json.loads(get(creds_url + "fakessm-role", th)[2])
        self.assertEqual(j["Code"], "Success")
        self.assertEqual(j["Token"], DEFAULT_IMDS_CREDS[2])
        self.assertEqual(get(base + "meta-data/placement/region", th)[2], b"eu-west-1")
        self.assertEqual(get(creds_url + "other-role", th)[0], 404)
        self.assertEqual(get(base.replace("/latest/", "/latest/meta-data/iam/security-"
                                                      "credentials-extended/"), th)[0], 404)
        self.fake.set(imds_v1=True)
        self.assertEqual(get(creds_url)[2], b"fakessm-role")
        self.assertEqual(self.fake.stats()["imds"]["v1_requests"], 1)

    def test_faults(self):
        base = self.fake.url + "/latest/"
        ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}
        for kind in ("403", "404", "405", "400"):
            self.fake.set(imds_token_fault=kind + "@first:1")
            self.assertEqual(get(base + "api/token", ttl, method="PUT")[0], int(kind))
        self.fake.set(imds_token_fault="hang", hang_seconds=2)
        t = time.monotonic()
        with self.assertRaises(Exception):  # noqa: B017 - a timeout of some kind
            get(base + "api/token", ttl, method="PUT", timeout=0.3)
        self.assertLess(time.monotonic() - t, 1.5)
        # a 405/timeout on the token is where SDKs fall back to IMDSv1
        self.fake.set(imds_token_fault="405", imds_v1=True)
        creds = self.fetcher().retrieve_iam_role_credentials()
        self.assertEqual(creds["access_key"], DEFAULT_IMDS_CREDS[0])
        self.fake.set(imds_token_fault=None, imds_v1=False, imds_no_role=True)
        self.assertEqual(self.fetcher().retrieve_iam_role_credentials(), {})
        self.fake.set(imds_no_role=False, imds_creds_fault="error-code")
        self.assertEqual(self.fetcher().retrieve_iam_role_credentials(), {})
        self.fake.set(imds_creds_fault=None, imds_expired=True)
        creds = self.fetcher().retrieve_iam_role_credentials()
        self.expect_error("ExpiredTokenException",
                          client(self.fake, creds["access_key"], creds["secret_key"],
                                 creds["token"]).get_parameters_by_path, Path="/app")
        st, _h, tok = get(base + "api/token", ttl, method="PUT")
        j = json.loads(get(base + "meta-data/iam/security-credentials/fakessm-role",
                           {"X-aws-ec2-metadata-token": tok.decode()})[2])
        self.assertLess(j["Expiration"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        self.fake.set(imds_extended=True, imds_expired=False)
        j = json.loads(get(base + "meta-data/iam/security-credentials-extended/fakessm-role",
                           {"X-aws-ec2-metadata-token": tok.decode()})[2])
        self.assertEqual(j["AccountId"], "123456789012")


# --------------------------------------------------------------------------


class Result(unittest.TextTestResult):
    """Counts tests (a test with any failing subtest fails once)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.outcome = {}

    def _set(self, test, what):
        if self.outcome.get(test.id()) != "failed":
            self.outcome[test.id()] = what

    def addSuccess(self, test):
        super().addSuccess(test)
        self._set(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.outcome[test.id()] = "failed"

    def addError(self, test, err):
        super().addError(test, err)
        self.outcome[test.id()] = "failed"

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._set(test, "skipped")


def bench(seconds=4.0):
    """Requests/s for a signed GetParametersByPath (10 params/page) over keep-alive, from
    two client processes with four connections each (a subprocess server)."""
    import multiprocessing as mp

    body = json.dumps({"Path": "/app", "Recursive": True, "WithDecryption": True,
                       "MaxResults": 10}).encode()
    with FakeSSMProcess("--generate", "/app:57") as p:
        h = signed_headers(p.url, "GetParametersByPath", body)
        q = mp.Queue()
        procs = [mp.Process(target=_bench_worker, args=(p.port, h, body, seconds, 4, q))
                 for _ in range(2)]
        for x in procs:
            x.start()
        total = sum(q.get() for _ in procs)
        for x in procs:
            x.join()
        s = p.stats()
    print("fakessm: %.0f requests/s (GetParametersByPath, SigV4 checked, %d ok, %d connections)"
          % (total / seconds, s["by_outcome"].get("ok", 0), s["connections_accepted"]))


def _bench_worker(port, headers, body, seconds, conns, q):
    counts = []

    def run():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            c.request("POST", "/", body=body, headers=headers)
            r = c.getresponse()
            r.read()
            n += r.status == 200
        counts.append(n)
    ts = [threading.Thread(target=run) for _ in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    q.put(sum(counts))


def main(argv):
    if argv[:1] == ["--bench"]:
        bench(float(argv[1]) if len(argv) > 1 else 4.0)
        return 0
    verbosity = 2 if "-v" in argv else 1
    pattern = argv[argv.index("-k") + 1] if "-k" in argv else None
    loader = unittest.TestLoader()
    if pattern:
        loader.testNamePatterns = ["*%s*" % pattern]
    suite = loader.loadTestsFromModule(sys.modules[__name__])
    t = time.monotonic()
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=verbosity, resultclass=Result)
    result = runner.run(suite)
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for v in result.outcome.values():
        counts[v] += 1
    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    if counts["skipped"]:
        line += ", %d skipped" % counts["skipped"]
    print("fakessm self-test: %.1f s" % (time.monotonic() - t))
    print(line)
    return 0 if counts["failed"] == 0 and result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
