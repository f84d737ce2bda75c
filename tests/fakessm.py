#!/usr/bin/env python3
"""fakessm: a fault-injecting fake of AWS SSM Parameter Store, plus fake ECS
container-credentials and EC2 IMDSv2 endpoints, for envssm's tests.

moto_server is the stand-in for SSM's real behaviour and signatures; this fake
covers what moto cannot: throttling, 5xx, connection resets, truncated or
malformed bodies, latency, slow and oversized bodies, clock skew, KMS denial,
and the credential endpoints. Python 3.11 standard library only, plus botocore
(for recomputing SigV4 signatures). It binds loopback addresses only.

Command line (``python3 tests/fakessm.py --help`` documents every switch):

    python3 tests/fakessm.py --port 0 --generate /app:57 --rate-limit 40
    -> prints {"port": N, "pid": P, "url": "http://127.0.0.1:N"} on stdout when ready,
       serves until SIGTERM or SIGINT, then exits 0.

As a module:

    from fakessm import FakeSSM, FakeSSMProcess
    with FakeSSM(generate=["/app:57"], error_5xx="first:2") as fake:   # in a thread
        ... fake.url, fake.stats(), fake.set(throttle="all"), fake.add_params([...])
    with FakeSSMProcess("--generate", "/app:57") as proc:             # a subprocess
        ... proc.url, proc.stats(), proc.set(...); stopped by PID (SIGTERM)

Options that can change at run time have the same names in three places: the
command line (``--error-5xx`` -> ``error_5xx``), ``FakeSSM(**options)`` /
``.set(**options)``, and ``POST /__fake/config`` (a JSON object).
"""

import argparse
import base64
import bisect
import collections
import copy
import datetime
import email.utils
import hashlib
import hmac
import http.client
import ipaddress
import itertools
import json
import os
import random
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------
# Defaults

DEFAULT_ACCESS_KEY = "FAKESSMACCESSKEY0001"
DEFAULT_SECRET_KEY = "fakessmSecretKey/EXAMPLE+0001"
# Served by the container endpoint and by IMDS; SSM accepts them too.
DEFAULT_CONTAINER_CREDS = ("ASIAFAKESSMCONTAINER", "fakessmContainerSecret/EXAMPLE+0001",
                           "FwoGZXIvYXdzEFAKESSM//container+session/token==")
DEFAULT_IMDS_CREDS = ("ASIAFAKESSMIMDS00001", "fakessmImdsSecret/EXAMPLE+0001",
                      "FwoGZXIvYXdzEFAKESSM//imds+session/token==")
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ROLE = "fakessm-role"
DEFAULT_CONTAINER_PATHS = ("/creds",)
JSON_CT = "application/x-amz-json-1.1"
MAX_BODY = 1 << 20
LOG_KEEP = 2000
HERE = os.path.dirname(os.path.abspath(__file__))

TRIGGER_HELP = """\
TRIGGER (when a fault fires; counted over the requests that reach that fault's
step, each fault with its own counter, reset when the fault is set again):
  all | on | always      every time            off | none     never
  first:N                the first N times     after:N        every time after the first N
  every:N                the Nth, 2Nth, ...    nth:A,B,...    exactly those (1-based)
  RATE                   a probability 0..1 (or P%), drawn from a generator seeded
                         with --random-seed and the fault's name, so it is deterministic
A switch written VALUE[@TRIGGER] (e.g. --latency-ms 200@first:3) uses VALUE when
the trigger fires; without @TRIGGER it fires every time. A bare flag (e.g. --truncate)
means "all".
"""

EPILOG = (TRIGGER_HELP + """
Order of the steps for an SSM request (POST with X-Amz-Target): read the request ->
--reset -> --latency-ms -> --echo-request -> SigV4 check (--no-auth skips; --skew) ->
--throttle and --rate-limit -> --error-5xx -> the operation (--access-denied, --kms-denied,
--empty-pages, --never-ending-token, --nul-value) -> for a 200 answer only:
--truncate, --malformed-json, --wrong-content-type, --oversize, --drip.

SSM operations: AmazonSSM.GetParametersByPath, .GetParameters, .GetParameter, over AWS
JSON 1.1 at any path. Others give 400 UnknownOperationException. Pages hold MaxResults
(1..10, default 10) names in name order; the NextToken is absent on the last page
(--empty-tail: moto's style, a full last page still carries a token and an empty page
follows). SecureString values without WithDecryption come back as a fake base64 KMS
ciphertext. GetParameters takes selectors name:VERSION and name:LABEL (answers carry
"Selector") and ARNs; unknown names go to InvalidParameters.

Credentials SSM accepts (each must be sent with exactly its session token, or none):
  --access-key/--secret-key/--session-token  default {ak} / {sk}, no token
  --container-creds AKID:SECRET:TOKEN        default {c[0]}:{c[1]}:{c[2]}
  --imds-creds AKID:SECRET:TOKEN             default {i[0]}:{i[1]}:{i[2]}
The region in the credential scope must be --region (default {region}; '*' accepts any)
and the service "ssm". Errors, all HTTP 400 JSON: MissingAuthenticationTokenException,
IncompleteSignatureException, UnrecognizedClientException (unknown key, or wrong or
missing token), ExpiredTokenException (keys served with --imds-expired or
--container-expired, and --container-rotate-s keys past their time), InvalidSignatureException ("The request signature we calculated
does not match...", or "Signature expired: ..." / "Signature not yet current: ..." when
X-Amz-Date is more than 5 min from the server's time). Every response carries a Date
header with the server's (skewed) time.

Control API (unsigned, same port): GET /__fake/stats, POST /__fake/reset-stats,
GET|POST /__fake/config (a JSON object of options, e.g. {{"error_5xx": "first:2",
"latency_ms": "200@all", "rate_limit": 40}}), POST /__fake/params (a list of
{{"Name","Type","Value","Labels"?}} or {{"generate": "PREFIX:N[:TYPE]"}}; an existing name
gets a new version), DELETE /__fake/params, GET /__fake/requests[?since=SEQ] (recent
requests with their headers), GET /__fake/health.
Stats: requests (SSM calls), by_operation, by_outcome (ok, throttled, 5xx, reset,
truncated, malformed_json, wrong_content_type, bad_signature, skew, unrecognized_client,
missing_auth, incomplete_signature, expired_token, access_denied, kms_denied, validation,
invalid_next_token, not_found, unknown_operation, echo_request, client_error), by_status,
by_error, by_access_key, faults (times each fault fired), pages, parameters_returned,
first_request_at/last_request_at (epoch s, also _iso), timeline (per second since the
last reset: requests and outcomes), http_requests, control_requests,
connections_accepted, connections_open, max_concurrent_connections, in_flight,
max_in_flight, keepalive_reuses, max_requests_per_connection, client_disconnects,
tls_handshake_failures, handler_errors, container and imds (requests, by_outcome, ...),
server_time, parameters_stored, uptime.

Container credentials: GET on a --container-path (default /creds, and anything under
it) returns {{"AccessKeyId","SecretAccessKey","Token","Expiration","RoleArn","AccountId"}};
with --container-token the Authorization header must equal it exactly (else 401).

IMDS: PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds 1..21600 required,
else 400; X-Forwarded-For gives 403). GETs need X-aws-ec2-metadata-token (401 without
one, unless --imds-v1): /latest/meta-data/iam/security-credentials/ (the role name),
.../security-credentials/ROLE ({{"Code":"Success",...}}), .../security-credentials-extended/
(only with --imds-extended, else 404), /latest/meta-data/placement/region and
.../placement/availability-zone.
""").format(ak=DEFAULT_ACCESS_KEY, sk=DEFAULT_SECRET_KEY, c=DEFAULT_CONTAINER_CREDS,
            i=DEFAULT_IMDS_CREDS, region=DEFAULT_REGION)


def generated_value(name, index):
    """The value --generate gives parameter number INDEX called NAME."""
    return "%04d-%s" % (index, hashlib.sha256(name.encode()).hexdigest()[:12])


def _now_iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _amz(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# --------------------------------------------------------------------------
# Triggers and option parsing


class Trigger:
    """When a fault fires: see TRIGGER_HELP. Thread-safe; deterministic."""

    def __init__(self, spec, name="", seed=0):
        self.name = name
        self.lock = threading.Lock()
        self.count = 0
        self.fired = 0
        self.rng = random.Random("%s:%s" % (seed, name))
        self.kind, self.n, self.rate, self.set_ = "never", 0, 0.0, frozenset()
        if spec is None or spec is False:
            spec = "off"
        elif spec is True:
            spec = "all"
        self.spec = str(spec).strip().lower()
        s = self.spec
        if s in ("all", "on", "always", "true", "yes"):
            self.kind = "always"
        elif s in ("off", "none", "never", "false", "no", "", "0"):
            self.kind = "never"
        elif ":" in s:
            kind, _, arg = s.partition(":")
            if kind == "nth":
                try:
                    self.set_ = frozenset(int(x) for x in arg.split(",") if x.strip())
                except ValueError:
                    raise ValueError("bad trigger %r" % spec) from None
                self.kind = "nth"
            elif kind in ("first", "after", "every"):
                try:
                    self.n = int(arg)
                except ValueError:
                    raise ValueError("bad trigger %r" % spec) from None
                if self.n < 0 or (kind == "every" and self.n < 1):
                    raise ValueError("bad trigger %r" % spec)
                self.kind = kind
            else:
                raise ValueError("bad trigger %r (use all, off, first:N, after:N, every:N, "
                                 "nth:A,B or a rate 0..1)" % spec)
        else:
            try:
                r = float(s[:-1]) / 100 if s.endswith("%") else float(s)
            except ValueError:
                raise ValueError("bad trigger %r" % spec) from None
            if not 0 <= r <= 1:
                raise ValueError("bad trigger %r: a rate is 0..1 (for a count use first:N)" % spec)
            self.kind, self.rate = ("always" if r >= 1 else "never" if r <= 0 else "rate"), r

    def __bool__(self):
        return self.kind != "never"

    def fire(self):
        if self.kind == "never":
            return False
        with self.lock:
            self.count += 1
            c = self.count
            k = self.kind
            if k == "always":
                hit = True
            elif k == "first":
                hit = c <= self.n
            elif k == "after":
                hit = c > self.n
            elif k == "every":
                hit = c % self.n == 0
            elif k == "nth":
                hit = c in self.set_
            else:
                hit = self.rng.random() < self.rate
            if hit:
                self.fired += 1
            return hit

    def describe(self):
        return self.spec


class ValueTrigger:
    """VALUE[@TRIGGER]; value None or 0 means off."""

    def __init__(self, spec, name="", seed=0, kind=float, choices=None):
        self.value = None
        trig = "all"
        if isinstance(spec, (list, tuple)):
            spec, trig = spec[0], spec[1]
        if spec is None or spec is False or (isinstance(spec, str) and spec.strip().lower()
                                               in ("", "off", "none", "0")):
            self.value, trig = None, "off"
        elif isinstance(spec, str) and "@" in spec:
            v, _, trig = spec.partition("@")
            self.value = self._conv(v.strip(), kind, choices)
        else:
            self.value = self._conv(spec if not isinstance(spec, str) else spec.strip(),
                                    kind, choices)
        if self.value is not None and kind is not str and not self.value:
            self.value, trig = None, "off"
        self.trigger = Trigger(trig, name, seed)
        self.spec = "off" if self.value is None else "%s@%s" % (self.value, self.trigger.spec)

    @staticmethod
    def _conv(v, kind, choices):
        if kind is str:
            v = str(v).lower()
            if choices and v not in choices:
                raise ValueError("%r is not one of %s" % (v, ", ".join(choices)))
            return v
        try:
            return kind(v)
        except (TypeError, ValueError):
            raise ValueError("bad number %r" % (v,)) from None

    def __bool__(self):
        return self.value is not None and bool(self.trigger)

    def fire(self):
        """The value when the trigger fires, else None."""
        if self.value is None:
            return None
        return self.value if self.trigger.fire() else None

    def describe(self):
        return self.spec


def _bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return bool(v)
    s = str(v).strip().lower()
    if s in ("1", "true", "yes", "on", "all"):
        return True
    if s in ("0", "false", "no", "off", "none", ""):
        return False
    raise ValueError("not a boolean: %r" % (v,))


def _optstr(v):
    return None if v is None or v is False else str(v)


def _prefixes(v):
    if v is None or v is False:
        return ()
    if isinstance(v, str):
        v = [v]
    return tuple(str(x) for x in v)


def _creds(v):
    if isinstance(v, (list, tuple)):
        parts = [str(x) for x in v]
    else:
        parts = str(v).split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise ValueError("credentials are AKID:SECRET:TOKEN")
    return tuple(parts)


CONTAINER_FAULTS = ("404", "500", "garbage", "missing-fields", "slow", "hang")
IMDS_TOKEN_FAULTS = ("400", "403", "404", "405", "hang")
IMDS_CREDS_FAULTS = ("404", "500", "garbage", "error-code", "slow", "empty")
FIVEXX_KINDS = ("500", "502", "503", "504", "mixed")

# name -> (parser kind, default). Kinds: bool, str, optstr, float, int, trigger,
# vt_float / vt_int (VALUE[@TRIGGER]), ct:<choices> (CHOICE[@TRIGGER]), choice:<choices>,
# prefixes, creds.
OPTIONS = {
    "auth": ("bool", True),
    "access_key": ("str", DEFAULT_ACCESS_KEY),
    "secret_key": ("str", DEFAULT_SECRET_KEY),
    "session_token": ("optstr", None),
    "container_creds": ("creds", DEFAULT_CONTAINER_CREDS),
    "imds_creds": ("creds", DEFAULT_IMDS_CREDS),
    "region": ("str", DEFAULT_REGION),
    "account": ("str", DEFAULT_ACCOUNT),
    "skew": ("float", 0.0),
    "latency_ms": ("vt_float", None),
    "rate_limit": ("float", 0.0),
    "burst": ("int", 0),
    "throttle": ("trigger", None),
    "error_5xx": ("trigger", None),
    "error_5xx_kind": ("choice:" + ",".join(FIVEXX_KINDS), "500"),
    "reset": ("trigger", None),
    "reset_mode": ("choice:rst,fin", "rst"),
    "truncate": ("trigger", None),
    "malformed_json": ("trigger", None),
    "wrong_content_type": ("trigger", None),
    "drip": ("vt_float", None),
    "oversize": ("vt_int", None),
    "access_denied": ("prefixes", ()),
    "kms_denied": ("prefixes", ()),
    "never_ending_token": ("choice:off,same,new", "off"),
    "nul_value": ("optstr", None),
    "empty_pages": ("trigger", None),
    "empty_tail": ("bool", False),
    "echo_request": ("trigger", None),
    "container_token": ("optstr", None),
    "container_fault": ("ct:" + ",".join(CONTAINER_FAULTS), None),
    "container_delay_ms": ("float", 3000.0),
    "container_expired": ("bool", False),
    "container_rotate_s": ("float", 0.0),
    "imds_v1": ("bool", False),
    "imds_token_fault": ("ct:" + ",".join(IMDS_TOKEN_FAULTS), None),
    "imds_creds_fault": ("ct:" + ",".join(IMDS_CREDS_FAULTS), None),
    "imds_delay_ms": ("float", 3000.0),
    "imds_no_role": ("bool", False),
    "imds_expired": ("bool", False),
    "imds_extended": ("bool", False),
    "imds_role": ("str", DEFAULT_ROLE),
    "imds_region": ("str", DEFAULT_REGION),
    "hang_seconds": ("float", 30.0),
    "idle_timeout": ("float", 120.0),
    "random_seed": ("int", 0),
    "verbose": ("bool", False),
}


class Settings:
    """The run-time options; every attribute is replaced whole, so readers need no lock."""

    def __init__(self):
        self.lock = threading.Lock()
        for name, (_kind, default) in OPTIONS.items():
            object.__setattr__(self, name, None)
        self.apply({k: d for k, (_kind, d) in OPTIONS.items()})

    def _parse(self, name, value):
        kind = OPTIONS[name][0]
        seed = getattr(self, "random_seed", 0) or 0
        if kind == "bool":
            return _bool(value)
        if kind == "str":
            if value is None:
                raise ValueError("%s needs a value" % name)
            return str(value)
        if kind == "optstr":
            if value is True and name == "nul_value":
                return ""
            return _optstr(value)
        if kind == "float":
            return float(value or 0)
        if kind == "int":
            return int(value or 0)
        if kind == "trigger":
            return Trigger(value, name, seed)
        if kind == "vt_float":
            return ValueTrigger(value, name, seed, float)
        if kind == "vt_int":
            return ValueTrigger(value, name, seed, int)
        if kind.startswith("ct:"):
            return ValueTrigger(value, name, seed, str, kind[3:].split(","))
        if kind.startswith("choice:"):
            v = str(value).lower()
            if v not in kind[7:].split(","):
                raise ValueError("%s must be one of %s" % (name, kind[7:]))
            return v
        if kind == "prefixes":
            return _prefixes(value)
        if kind == "creds":
            return _creds(value)
        raise AssertionError(kind)

    def apply(self, changes):
        """Set options from a dict (values as on the command line, or Python values)."""
        unknown = [k for k in changes if k not in OPTIONS]
        if unknown:
            raise ValueError("unknown option(s): %s" % ", ".join(sorted(unknown)))
        with self.lock:
            if "random_seed" in changes:
                object.__setattr__(self, "random_seed",
                                   self._parse("random_seed", changes["random_seed"]))
                # re-create the other triggers from their specs: rates restart, re-seeded
                for name, (kind, _d) in OPTIONS.items():
                    cur = getattr(self, name)
                    if name not in changes and isinstance(cur, (Trigger, ValueTrigger)):
                        object.__setattr__(self, name, self._parse(name, cur.spec))
            parsed = {k: self._parse(k, v) for k, v in changes.items() if k != "random_seed"}
            for k, v in parsed.items():
                object.__setattr__(self, k, v)

    def __setattr__(self, name, value):
        if name in OPTIONS:
            self.apply({name: value})
        else:
            object.__setattr__(self, name, value)

    def describe(self):
        out = {}
        for name, (kind, _d) in OPTIONS.items():
            v = getattr(self, name)
            if hasattr(v, "describe"):
                v = v.describe()
            elif isinstance(v, tuple):
                v = list(v)
            out[name] = v
        return out


# --------------------------------------------------------------------------
# Parameter store


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.params = {}   # name -> [version dicts]
        self.names = []    # sorted

    def put(self, name, value, type_="String", labels=()):
        if not isinstance(name, str) or not name:
            raise ValueError("a parameter needs a Name")
        if type_ not in ("String", "StringList", "SecureString"):
            raise ValueError("bad Type %r for %s" % (type_, name))
        if not isinstance(value, str):
            raise ValueError("Value of %s must be a string" % name)
        with self.lock:
            versions = self.params.get(name)
            if versions is None:
                versions = self.params[name] = []
                bisect.insort(self.names, name)
            labels = set(labels or ())
            for v in versions:  # a label moves to the new version
                v["Labels"] -= labels
            versions.append({"Value": value, "Type": type_, "Version": len(versions) + 1,
                             "Labels": labels, "LastModifiedDate": round(time.time(), 3)})
            return len(versions)

    def add(self, items):
        if isinstance(items, dict):
            if "generate" in items:
                return self.generate(items["generate"])
            items = items.get("Parameters", [items])
        if not isinstance(items, list):
            raise ValueError("parameters are a JSON list of {Name, Type, Value, Labels?}")
        n = 0
        for it in items:
            if not isinstance(it, dict):
                raise ValueError("a parameter is an object {Name, Type, Value, Labels?}")
            self.put(it.get("Name"), it.get("Value"), it.get("Type", "String"),
                     it.get("Labels", ()))
            n += 1
        return n

    def generate(self, spec):
        parts = str(spec).rsplit(":", 2)
        if len(parts) == 3 and not parts[2].isdigit():
            prefix, count, type_ = parts
        else:
            prefix, _, count = str(spec).rpartition(":")
            type_ = "String"
        try:
            count = int(count)
        except ValueError:
            raise ValueError("--generate takes PREFIX:N[:TYPE], not %r" % spec) from None
        prefix = prefix.rstrip("/")
        width = max(4, len(str(max(count - 1, 0))))
        for i in range(count):
            name = "%s/p%0*d" % (prefix, width, i)
            t = type_
            if type_ == "mixed":
                t = ("String", "SecureString", "StringList")[i % 3]
            self.put(name, generated_value(name, i), t)
        return count

    def clear(self):
        with self.lock:
            self.params.clear()
            self.names.clear()

    def load_file(self, path):
        with open(path, encoding="utf-8") as f:
            return self.add(json.load(f))


class SSMError(Exception):
    def __init__(self, code, message, status=400, outcome=None):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.outcome = outcome or "client_error"


# --------------------------------------------------------------------------
# Statistics


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.log = collections.deque(maxlen=LOG_KEEP)
        self.seq = 0
        self.conn_open = 0  # survives reset
        self.in_flight = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.t0 = time.time()
            self.m0 = time.monotonic()
            self.d = {
                "requests": 0, "by_operation": {}, "by_outcome": {}, "by_status": {},
                "by_error": {}, "by_access_key": {}, "faults": {}, "pages": 0,
                "parameters_returned": 0, "http_requests": 0, "control_requests": 0,
                "connections_accepted": 0, "max_concurrent_connections": self.conn_open,
                "max_in_flight": 0, "keepalive_reuses": 0, "max_requests_per_connection": 0,
                "client_disconnects": 0, "tls_handshake_failures": 0, "handler_errors": 0,
                "first_request_at": None, "last_request_at": None,
                "container": {"requests": 0, "by_outcome": {}},
                "imds": {"requests": 0, "token_requests": 0, "v1_requests": 0,
                         "by_outcome": {}},
                "timeline": {},
            }
            self.log.clear()

    @staticmethod
    def _bump(d, key, n=1):
        d[key] = d.get(key, 0) + n

    def conn_opened(self):
        with self.lock:
            self.conn_open += 1
            self.d["connections_accepted"] += 1
            if self.conn_open > self.d["max_concurrent_connections"]:
                self.d["max_concurrent_connections"] = self.conn_open

    def conn_closed(self):
        with self.lock:
            self.conn_open -= 1

    def request_started(self, nth_on_conn):
        with self.lock:
            self.d["http_requests"] += 1
            self.in_flight += 1
            if self.in_flight > self.d["max_in_flight"]:
                self.d["max_in_flight"] = self.in_flight
            if nth_on_conn > 1:
                self.d["keepalive_reuses"] += 1
            if nth_on_conn > self.d["max_requests_per_connection"]:
                self.d["max_requests_per_connection"] = nth_on_conn

    def request_done(self):
        with self.lock:
            self.in_flight -= 1

    def bump(self, key, n=1):
        with self.lock:
            self._bump(self.d, key, n)

    def fault(self, name):
        with self.lock:
            self._bump(self.d["faults"], name)

    def ssm(self, op, outcome, status, error=None, akid=None, nparams=None):
        with self.lock:
            d = self.d
            now = time.time()
            d["requests"] += 1
            if d["first_request_at"] is None:
                d["first_request_at"] = now
            d["last_request_at"] = now
            self._bump(d["by_operation"], op or "(none)")
            self._bump(d["by_outcome"], outcome)
            self._bump(d["by_status"], str(status))
            if error:
                self._bump(d["by_error"], error)
            if akid:
                self._bump(d["by_access_key"], akid)
            if nparams is not None:
                d["pages"] += 1
                d["parameters_returned"] += nparams
            sec = str(int(time.monotonic() - self.m0))
            tl = d["timeline"]
            if sec in tl or len(tl) < 7200:
                b = tl.setdefault(sec, {"requests": 0})
                b["requests"] += 1
                self._bump(b, outcome)

    def endpoint(self, which, outcome, extra=None):
        with self.lock:
            e = self.d[which]
            e["requests"] += 1
            self._bump(e["by_outcome"], outcome)
            if extra:
                self._bump(e, extra)

    def imds_v1(self):
        with self.lock:
            self.d["imds"]["v1_requests"] += 1

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.append(entry)

    def snapshot(self):
        with self.lock:
            d = copy.deepcopy(self.d)
            d["connections_open"] = self.conn_open
            d["in_flight"] = self.in_flight  # over HTTP this includes the stats call
        for k in ("first_request_at", "last_request_at"):
            d[k + "_iso"] = _now_iso(d[k]) if d[k] else None
        d["uptime"] = round(time.monotonic() - self.m0, 3)
        if d["first_request_at"] and d["last_request_at"]:
            span = d["last_request_at"] - d["first_request_at"]
            d["request_span_seconds"] = round(span, 3)
        return d

    def requests(self, since=0):
        with self.lock:
            return [e for e in self.log if e["seq"] > since]


# --------------------------------------------------------------------------
# SigV4 verification (botocore recomputes the signature)

_VERIFIER = []


def _verifier_class():
    """botocore's SigV4Auth, made to sign exactly the headers the client listed in
    SignedHeaders. Imported on first use (botocore takes a while to import)."""
    if not _VERIFIER:
        try:
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest, HTTPHeaders
            from botocore.credentials import ReadOnlyCredentials
        except ImportError:
            return None

        class Verifier(SigV4Auth):
            def __init__(self, creds, service, region, signed):
                super().__init__(creds, service, region)
                self._signed = signed

            def headers_to_sign(self, request):
                hm = HTTPHeaders()
                for name in self._signed:
                    for v in request.headers.get_all(name) or ():
                        hm[name] = v
                return hm

        _VERIFIER.append((Verifier, AWSRequest, HTTPHeaders, ReadOnlyCredentials))
    return _VERIFIER[0]


AUTH_MISMATCH = ("The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.")


def _parse_amz_date(s):
    return datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


# --------------------------------------------------------------------------
# The HTTP side


class _Bucket:
    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class _Dropped(Exception):
    """The connection was dropped on purpose; write nothing more."""


HTML_PORTAL = (b"<!DOCTYPE html>\n<html><head><title>Network Login</title></head><body>"
               b"<h1>Welcome to Guest Wi-Fi</h1><p>Please accept the terms of use to continue."
               b"</p><form method=\"post\" action=\"/login\"><button>Accept</button></form>"
               b"</body></html>\n")
IMDS_404 = (b'<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC '
            b'"-//W3C//DTD XHTML 1.0 Transitional//EN"\n\t"http://www.w3.org/TR/xhtml1/DTD/'
            b'xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" '
            b'xml:lang="en" lang="en">\n <head>\n  <title>404 - Not Found</title>\n </head>\n'
            b' <body>\n  <h1>404 - Not Found</h1>\n </body>\n</html>\n')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakessm"
    sys_version = ""

    # ---- plumbing

    def setup(self):
        super().setup()
        self.fake = self.server.fake
        self.nreq = 0
        self.conn_id = self.server.next_conn_id()

    def version_string(self):
        return "fakessm"

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(time.time() + self.fake.settings.skew, usegmt=True)

    def log_message(self, fmt, *args):
        if self.fake.settings.verbose:
            sys.stderr.write("fakessm: %s %s\n" % (self.address_string(), fmt % args))

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except _Dropped:
            self.close_connection = True
        except (ConnectionError, BrokenPipeError, ssl.SSLError, TimeoutError, OSError) as e:
            self.close_connection = True
            if not isinstance(e, TimeoutError):
                self.fake.counters.bump("client_disconnects")

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            size = 0
            while True:
                line = self.rfile.readline(1024)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                size += n
                if size > MAX_BODY:
                    raise SSMError("SerializationException", "Request body too large", 413)
                chunks.append(self.rfile.read(n))
                self.rfile.readline(16)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.close_connection = True
            raise SSMError("SerializationException", "Request body too large", 413)
        return self.rfile.read(n) if n > 0 else b""

    def _respond(self, status, body=b"", ctype=JSON_CT, headers=(), mode=None, arg=None):
        """Write a whole response in one send (no Nagle stalls). mode: None, 'truncate',
        'drip' (arg = bytes per second)."""
        if isinstance(body, str):
            body = body.encode()
        self.status = status
        reason = http.client.responses.get(status, "Unknown")
        if self.command != "HEAD":
            self.log_request(status, len(body))
        lines = ["HTTP/1.1 %d %s" % (status, reason),
                 "Server: fakessm",
                 "Date: " + self.date_time_string()]
        if ctype:
            lines.append("Content-Type: " + ctype)
        lines.append("Content-Length: %d" % len(body))
        lines.extend("%s: %s" % h for h in headers)
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD":
            body = b""
        if mode == "truncate":
            self.wfile.write(head + body[:len(body) // 2])
            self.close_connection = True
            return
        if mode == "drip" and body:
            self.wfile.write(head)
            step = max(1, int(arg / 20))
            delay = step / float(arg)
            stop = self.fake.stopping
            for i in range(0, len(body), step):
                if stop.wait(delay):
                    self.close_connection = True
                    return
                self.wfile.write(body[i:i + step])
            return
        self.wfile.write(head + body)

    def _json(self, status, obj, headers=(), ctype=JSON_CT):
        self._respond(status, json.dumps(obj, separators=(",", ":")).encode(), ctype, headers)

    def _drop(self, mode="rst"):
        """Close the connection without answering; RST when mode is 'rst'."""
        s = self.connection
        self.close_connection = True
        if mode == "rst":
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except OSError:
                pass
        try:
            s.close()
        except OSError:
            pass
        raise _Dropped()

    def _hang(self):
        self.fake.stopping.wait(self.fake.settings.hang_seconds)
        self._drop("fin")

    def _record(self, kind, outcome, body=b"", extra=None):
        e = {"t": round(time.time(), 6), "conn": self.conn_id, "n_on_conn": self.nreq,
             "kind": kind, "method": self.command, "path": self.path,
             "status": getattr(self, "status", None), "outcome": outcome,
             "headers": dict(self.headers.items())}
        if body:
            e["body"] = body[:4096].decode("utf-8", "replace")
        if extra:
            e.update(extra)
        self.fake.counters.record(e)

    # ---- routing

    def _dispatch(self):
        self.nreq += 1
        self.status = None
        stats = self.fake.counters
        stats.request_started(self.nreq)
        try:
            try:
                body = self._read_body()
            except SSMError as e:
                self._json(e.status, {"__type": e.code, "message": e.message})
                return
            except ValueError:
                self.close_connection = True
                self._respond(400, b"bad request body", "text/plain")
                return
            path = urlsplit(self.path).path
            if path.startswith("/__fake/"):
                self._control(path, body)
            elif self.command == "GET" and self._is_container_path(path):
                self._container()
            elif path.startswith("/latest/") or path == "/latest":
                self._imds(path)
            elif self.command == "POST" and (self.headers.get("X-Amz-Target") is not None
                                             or path == "/"):
                self._ssm(body)
            else:
                self._respond(404, b'{"message":"fakessm: no such endpoint"}', "application/json")
        except _Dropped:
            raise
        except (ConnectionError, ssl.SSLError, TimeoutError):
            raise
        except Exception as e:  # a bug in the fake: say so loudly, answer 500
            import traceback
            traceback.print_exc()
            stats.bump("handler_errors")
            try:
                self._json(500, {"__type": "InternalFailure", "message": "fakessm bug: %r" % e})
            except OSError:
                pass
        finally:
            stats.request_done()

    def _is_container_path(self, path):
        for p in self.server.container_paths:
            if path == p or path.startswith(p.rstrip("/") + "/"):
                return True
        return False

    # ---- control API

    def _control(self, path, body):
        fake = self.fake
        fake.counters.bump("control_requests")
        cmd = path[len("/__fake/"):].strip("/")
        try:
            data = json.loads(body) if body.strip() else None
        except ValueError:
            return self._json(400, {"error": "body is not JSON"}, ctype="application/json")
        try:
            if cmd == "stats" and self.command == "GET":
                return self._json(200, fake.stats_dict(), ctype="application/json")
            if cmd == "reset-stats" and self.command == "POST":
                fake.counters.reset()
                return self._json(200, {"ok": True}, ctype="application/json")
            if cmd == "config":
                if self.command == "POST":
                    data = {} if data is None else data
                    if not isinstance(data, dict):
                        raise ValueError("POST /__fake/config takes a JSON object")
                    fake.set(**data)
                return self._json(200, fake.settings.describe(), ctype="application/json")
            if cmd == "params":
                if self.command == "POST":
                    n = fake.store.add(data if data is not None else [])
                    return self._json(200, {"added": n, "count": len(fake.store.names)},
                                      ctype="application/json")
                if self.command == "DELETE":
                    fake.store.clear()
                    return self._json(200, {"count": 0}, ctype="application/json")
                return self._json(200, {"count": len(fake.store.names)},
                                  ctype="application/json")
            if cmd == "requests" and self.command == "GET":
                q = parse_qs(urlsplit(self.path).query)
                since = int(q.get("since", ["0"])[0])
                return self._json(200, fake.counters.requests(since), ctype="application/json")
            if cmd == "health":
                return self._json(200, {"ok": True, "pid": os.getpid()},
                                  ctype="application/json")
        except (ValueError, TypeError) as e:
            return self._json(400, {"error": str(e)}, ctype="application/json")
        return self._json(404, {"error": "unknown control call %s %s" % (self.command, path)},
                          ctype="application/json")

    # ---- SSM

    def _ssm(self, body):
        fake = self.fake
        st = fake.settings
        stats = fake.counters
        target = self.headers.get("X-Amz-Target") or ""
        op = target.split(".", 1)[1] if target.startswith("AmazonSSM.") else target
        info = {"op": op, "akid": None}

        def finish(outcome, status, error=None, nparams=None):
            stats.ssm(op, outcome, status, error, info["akid"], nparams)
            self._record("ssm", outcome, body, {"op": op, "access_key": info["akid"],
                                               "error": error, "status": status})

        # 1. reset
        if st.reset.fire():
            stats.fault("reset")
            finish("reset", 0)
            self._drop(st.reset_mode)
        # 2. latency
        ms = st.latency_ms.fire()
        if ms:
            stats.fault("latency")
            fake.stopping.wait(ms / 1000.0)
        try:
            # 2b. an error that quotes the request back, headers and body
            if st.echo_request.fire():
                stats.fault("echo_request")
                head = "\n".join("%s: %s" % (k, v) for k, v in self.headers.items())
                raise SSMError("AccessDeniedException", "User is not authorized; the request "
                               "was:\n%s\n\n%s" % (head, body.decode("utf-8", "replace")),
                               400, "echo_request")
            # 3. auth
            if st.auth:
                info["akid"] = fake.verify(self, body)
            # 4. throttling
            if st.throttle.fire():
                raise SSMError("ThrottlingException", "Rate exceeded", 400, "throttled")
            bucket = fake.bucket
            if bucket is not None and not bucket.take():
                raise SSMError("ThrottlingException", "Rate exceeded", 400, "throttled")
            # 5. 5xx
            if st.error_5xx.fire():
                kind = st.error_5xx_kind
                if kind == "mixed":
                    kind = ("500", "503", "502", "504")[next(fake.mixed_5xx) % 4]
                stats.fault("5xx")
                finish("5xx", int(kind), "InternalServerError" if kind == "500" else kind)
                if kind == "500":
                    return self._json(500, {"__type": "InternalServerError",
                                            "message": "An error occurred on the server side."},
                                      headers=[("x-amzn-RequestId", str(uuid.uuid4()))])
                if kind == "502":
                    return self._respond(502, b"<html><body><h1>502 Bad Gateway</h1>"
                                              b"</body></html>\n", "text/html")
                return self._respond(int(kind), b"", None)
            # 6. the operation
            try:
                req = json.loads(body) if body.strip() else {}
            except ValueError:
                raise SSMError("SerializationException", "Unexpected character found when "
                               "parsing the request body") from None
            if not isinstance(req, dict):
                raise SSMError("SerializationException", "Start of list found where not "
                               "expected")
            if not target.startswith("AmazonSSM."):
                raise SSMError("com.amazon.coral.service#UnknownOperationException", "",
                               400, "unknown_operation")
            fn = {"GetParametersByPath": fake.op_get_parameters_by_path,
                  "GetParameters": fake.op_get_parameters,
                  "GetParameter": fake.op_get_parameter,
                  "DescribeParameters": fake.op_describe_parameters}.get(op)
            if fn is None:
                raise SSMError("com.amazon.coral.service#UnknownOperationException", "",
                               400, "unknown_operation")
            result, nparams = fn(req)
        except SSMError as e:
            finish(e.outcome, e.status, e.code.rpartition("#")[2])
            obj = {"__type": e.code}
            if e.message:
                obj["message"] = e.message
            return self._json(e.status, obj, headers=[("x-amzn-RequestId", str(uuid.uuid4()))])

        # 7. faults in the 200 answer
        hdrs = [("x-amzn-RequestId", str(uuid.uuid4()))]
        if st.truncate.fire():
            stats.fault("truncate")
            finish("truncated", 200, nparams=nparams)
            return self._respond(200, self._dumps(result), JSON_CT, hdrs, mode="truncate")
        if st.malformed_json.fire():
            stats.fault("malformed_json")
            finish("malformed_json", 200, nparams=nparams)
            raw = self._dumps(result)
            bad = raw[:max(1, len(raw) * 2 // 3)].rstrip(b"}]") + b',"Val'
            return self._respond(200, bad, JSON_CT, hdrs)
        if st.wrong_content_type.fire():
            stats.fault("wrong_content_type")
            finish("wrong_content_type", 200, nparams=nparams)
            return self._respond(200, HTML_PORTAL, "text/html; charset=utf-8")
        raw = self._dumps(result)
        size = st.oversize.fire()
        if size:
            stats.fault("oversize")
            if len(raw) <= size:
                raw = b"{" + b" " * (size - len(raw) + 1) + raw[1:]
        bps = st.drip.fire()
        finish("ok", 200, nparams=nparams)
        if bps:
            stats.fault("drip")
            return self._respond(200, raw, JSON_CT, hdrs, mode="drip", arg=bps)
        return self._respond(200, raw, JSON_CT, hdrs)

    @staticmethod
    def _dumps(obj):
        return json.dumps(obj, separators=(",", ":")).encode()

    # ---- container credentials

    def _container(self):
        fake = self.fake
        st = fake.settings
        stats = fake.counters

        def done(outcome):
            stats.endpoint("container", outcome)
            self._record("container", outcome)

        if st.container_token is not None:
            if self.headers.get("Authorization") != st.container_token:
                done("unauthorized")
                return self._json(401, {"code": "AccessDeniedException",
                                        "message": "Authorization token is missing or invalid"},
                                  ctype="application/json")
        fault = st.container_fault.fire()
        if fault == "404":
            done("404")
            return self._json(404, {"code": "NotFound", "message": "no credentials here"},
                              ctype="application/json")
        if fault == "500":
            done("500")
            return self._respond(500, b"Internal Server Error\n", "text/plain")
        if fault == "garbage":
            done("garbage")
            return self._respond(200, b"\x00\xff<html>this is not JSON{{{", "application/json")
        if fault == "hang":
            done("hang")
            self._hang()
        if fault == "slow":
            fake.stopping.wait(st.container_delay_ms / 1000.0)
        creds = fake.cred_response("container")
        if fault == "missing-fields":
            del creds["Token"], creds["SecretAccessKey"]
        done(fault or "ok")
        self._json(200, creds, ctype="application/json")

    # ---- IMDS

    def _imds(self, path):
        fake = self.fake
        st = fake.settings
        stats = fake.counters

        def done(outcome, extra=None):
            stats.endpoint("imds", outcome, extra)
            self._record("imds", outcome)

        if path == "/latest/api/token":
            if self.command != "PUT":
                done("405", "token_requests")
                return self._respond(405, b"", None)
            fault = st.imds_token_fault.fire()
            if fault == "hang":
                done("token_hang", "token_requests")
                self._hang()
            if fault:
                done("token_" + fault, "token_requests")
                return self._respond(int(fault), IMDS_404 if fault == "404" else b"",
                                     "text/html" if fault == "404" else None)
            if self.headers.get("X-Forwarded-For"):
                done("token_forwarded", "token_requests")
                return self._respond(403, b"", None)
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            try:
                ttl = int(ttl)
                if not 1 <= ttl <= 21600:
                    raise ValueError
            except (TypeError, ValueError):
                done("token_bad_ttl", "token_requests")
                return self._respond(400, b"", None)
            token = fake.new_imds_token(ttl)
            done("token_ok", "token_requests")
            return self._respond(200, token.encode(), "text/plain",
                                 [("X-aws-ec2-metadata-token-ttl-seconds", str(ttl))])

        if self.command != "GET":
            done("405")
            return self._respond(405, b"", None)
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is None:
            if not st.imds_v1:
                done("unauthorized")
                return self._respond(401, b"", None)
            stats.imds_v1()
        elif not fake.imds_token_ok(token):
            done("unauthorized")
            return self._respond(401, b"", None)

        base = "/latest/meta-data/iam/security-credentials"
        for prefix, extended in ((base + "-extended", True), (base, False)):
            if path == prefix or path.startswith(prefix + "/"):
                if extended and not st.imds_extended:
                    done("404")
                    return self._respond(404, IMDS_404, "text/html")
                role = path[len(prefix):].strip("/")
                if not role:
                    if st.imds_no_role:
                        done("no_role")
                        return self._respond(404, IMDS_404, "text/html")
                    done("role")
                    return self._respond(200, st.imds_role.encode(), "text/plain")
                if role != st.imds_role or st.imds_no_role:
                    done("404")
                    return self._respond(404, IMDS_404, "text/html")
                fault = st.imds_creds_fault.fire()
                if fault == "404":
                    done("creds_404")
                    return self._respond(404, IMDS_404, "text/html")
                if fault == "500":
                    done("creds_500")
                    return self._respond(500, b"", None)
                if fault == "garbage":
                    done("creds_garbage")
                    return self._respond(200, b"<html>not json", "text/plain")
                if fault == "empty":
                    done("creds_empty")
                    return self._respond(200, b"", "text/plain")
                if fault == "error-code":
                    done("creds_error_code")
                    return self._json(200, {
                        "Code": "AssumeRoleUnauthorizedAccess",
                        "Message": "EC2 cannot assume the role %s." % st.imds_role,
                        "LastUpdated": _now_iso(fake.now())}, ctype="text/plain")
                if fault == "slow":
                    fake.stopping.wait(st.imds_delay_ms / 1000.0)
                body = fake.cred_response("imds")
                if extended:
                    body["AccountId"] = st.account
                done("creds" if not fault else "creds_" + fault)
                return self._json(200, body, ctype="text/plain")
        if path in ("/latest/meta-data/placement/region",):
            done("region")
            return self._respond(200, st.imds_region.encode(), "text/plain")
        if path == "/latest/meta-data/placement/availability-zone":
            done("az")
            return self._respond(200, (st.imds_region + "a").encode(), "text/plain")
        if path in ("/latest/meta-data", "/latest/meta-data/"):
            done("listing")
            return self._respond(200, b"iam/\nplacement/\n", "text/plain")
        done("404")
        return self._respond(404, IMDS_404, "text/html")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr, fake, ssl_ctx, container_paths, backlog):
        self.fake = fake
        self.ssl_ctx = ssl_ctx
        self.container_paths = tuple(container_paths)
        self.request_queue_size = max(256, backlog)
        self._conn_ids = 0
        self._conn_lock = threading.Lock()
        self.open_socks = set()
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.address_family = family
        super().__init__(addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind calls getfqdn(); skip the name lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port

    def next_conn_id(self):
        with self._conn_lock:
            self._conn_ids += 1
            return self._conn_ids

    def process_request_thread(self, request, client_address):
        stats = self.fake.counters
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request.settimeout(self.fake.settings.idle_timeout)
            if self.ssl_ctx is not None:
                try:
                    request = self.ssl_ctx.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    stats.bump("tls_handshake_failures")
                    try:
                        request.close()
                    except OSError:
                        pass
                    return
        except OSError:
            request.close()
            return
        stats.conn_opened()
        with self._conn_lock:
            self.open_socks.add(request)
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self._conn_lock:
                self.open_socks.discard(request)
            stats.conn_closed()
            self.shutdown_request(request)

    def handle_error(self, request, client_address):
        self.fake.counters.bump("handler_errors")
        if self.fake.settings.verbose:
            super().handle_error(request, client_address)

    def close_all(self):
        with self._conn_lock:
            socks = list(self.open_socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# --------------------------------------------------------------------------
# The fake itself


class FakeSSM:
    """The fake server, run in a background thread of this process.

    FakeSSM(host="127.0.0.1", port=0, tls=(CERT, KEY) or None, tls_dir=DIR (generate a CA
    and use it), seed=[params] or "file.json" (or a list of files), generate=["/app:57"],
    container_paths=["/creds"], backlog=1024, **options)  -- options as in OPTIONS.
    """

    def __init__(self, host="127.0.0.1", port=0, tls=None, tls_dir=None, seed=None,
                 generate=(), container_paths=DEFAULT_CONTAINER_PATHS, backlog=1024, **options):
        ip = ipaddress.ip_address(host if host != "localhost" else "127.0.0.1")
        if not ip.is_loopback:
            raise ValueError("fakessm binds loopback addresses only, not %s" % host)
        self.host, self.port = str(ip), port
        self.ca = None
        if tls_dir:
            paths = gen_cert(tls_dir)
            tls = (paths["cert"], paths["key"])
            self.ca = paths["ca"]
        self.tls = tls
        self.container_paths = container_paths
        self.backlog = backlog
        self.settings = Settings()
        self.counters = Stats()
        self.store = Store()
        self.stopping = threading.Event()
        self.bucket = None
        self._imds_tokens = {}
        self._imds_lock = threading.Lock()
        self._imds_n = 0
        self._net_n = itertools.count(1)
        self._creds = {}
        self._rotated = {}  # keys --container-rotate-s handed out: akid -> entry
        self._rotation = itertools.count(1)
        self._sig_cache = {}
        if seed is not None:
            seeds = seed if isinstance(seed, (list, tuple)) else [seed]
            if seeds and all(isinstance(s, dict) for s in seeds):
                self.store.add(list(seeds))
            else:
                for s in seeds:
                    if isinstance(s, str):
                        self.store.load_file(s)
                    else:
                        self.store.add(s)
        for g in ([generate] if isinstance(generate, str) else generate or ()):
            self.store.generate(g)
        self.set(**options)
        self.server = None
        self.thread = None

    # ---- configuration

    def set(self, **options):
        """Change options at run time (same names and syntax as the command line)."""
        self.settings.apply(options)
        st = self.settings
        if "error_5xx" in options or "error_5xx_kind" in options or not hasattr(self,
                                                                                  "mixed_5xx"):
            self.mixed_5xx = itertools.count()
        if {"rate_limit", "burst"} & set(options) or (self.bucket is None and st.rate_limit):
            if st.rate_limit and st.rate_limit > 0:
                burst = st.burst if st.burst > 0 else max(1, int(round(st.rate_limit)))
                self.bucket = _Bucket(st.rate_limit, burst)
            else:
                self.bucket = None
        creds = {st.access_key: {"secret": st.secret_key, "token": st.session_token,
                                 "expired": False, "source": "static"}}
        c, i = st.container_creds, st.imds_creds
        creds.setdefault(c[0], {"secret": c[1], "token": c[2] or None,
                                "expired": st.container_expired, "source": "container"})
        creds.setdefault(i[0], {"secret": i[1], "token": i[2] or None,
                                "expired": st.imds_expired, "source": "imds"})
        self._creds = creds
        return self

    def config(self):
        return self.settings.describe()

    def add_params(self, items):
        return self.store.add(items)

    def generate(self, spec):
        return self.store.generate(spec)

    def clear_params(self):
        self.store.clear()

    def now(self):
        """The server's clock (with --skew)."""
        return time.time() + self.settings.skew

    # ---- life cycle

    def start(self):
        self.stopping.clear()
        if self.settings.auth and _verifier_class() is None:
            sys.stderr.write("fakessm: warning: botocore is missing; signed requests will "
                             "fail (use --no-auth)\n")
        ctx = None
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.tls[0], self.tls[1])
        self.server = _Server((self.host, self.port), self, ctx, self.container_paths,
                              self.backlog)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1},
                                       name="fakessm-%d" % self.port, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self):
        host = self.host if ":" not in self.host else "[%s]" % self.host
        return "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)

    def stop(self):
        if self.server is None:
            return
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.server.close_all()
        self.thread.join(5)
        self.server = None

    def __enter__(self):
        return self.start() if self.server is None else self

    def __exit__(self, *exc):
        self.stop()

    def stats_dict(self):
        d = self.counters.snapshot()
        d["server_time"] = round(self.now(), 3)
        d["parameters_stored"] = len(self.store.names)
        return d

    def stats(self):
        """The counters, as GET /__fake/stats returns them."""
        return self.stats_dict()

    def reset_stats(self):
        self.counters.reset()

    def requests(self, since=0):
        """Recent requests (newest last), as GET /__fake/requests returns them."""
        return self.counters.requests(since)

    # ---- credentials

    def cred_response(self, source):
        st = self.settings
        akid, secret, token = st.container_creds if source == "container" else st.imds_creds
        expired = st.container_expired if source == "container" else st.imds_expired
        now = self.now()
        exp = now - 3600 if expired else now + 6 * 3600
        if source == "container" and st.container_rotate_s > 0:
            # new keys each time, expiring R s past the SDKs' 15-minute refresh
            # window; refused once 2R s old: a client that refreshes only at
            # expiry (or never) presents a refused key, one that refreshes in
            # the window never does
            n = next(self._rotation)
            akid = "ASIAFAKEROTATED%05d" % n
            secret = "fakessmRotatedSecret/%05d" % n
            token = "FwoGZXIvYXdzEFAKEROTATED//%05d==" % n
            r = st.container_rotate_s
            exp = now + 900 + r
            self._rotated[akid] = {"secret": secret, "token": token, "expired": False,
                                   "source": "container", "refuse_after": now + 2 * r}
        out = {"AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
               "Expiration": _now_iso(exp)}
        if source == "container":
            out["RoleArn"] = "arn:aws:iam::%s:role/fakessm-container" % st.account
            out["AccountId"] = st.account
        else:
            out = {"Code": "Success", "LastUpdated": _now_iso(now - 60), "Type": "AWS-HMAC",
                   **out}
        return out

    def new_imds_token(self, ttl):
        with self._imds_lock:
            self._imds_n += 1
            tok = "FAKEIMDSv2-%d-%s" % (self._imds_n, hashlib.sha256(
                b"%d:%d" % (self._imds_n, self.settings.random_seed)).hexdigest()[:24])
            self._imds_tokens[tok] = time.monotonic() + ttl
            if len(self._imds_tokens) > 10000:
                now = time.monotonic()
                self._imds_tokens = {k: v for k, v in self._imds_tokens.items() if v > now}
            return tok

    def imds_token_ok(self, tok):
        exp = self._imds_tokens.get(tok)
        return exp is not None and exp > time.monotonic()

    # ---- SigV4

    def verify(self, h, body):
        """Check the request's SigV4 signature; return the access key id or raise SSMError."""
        headers = h.headers
        auth = headers.get("Authorization")
        if not auth:
            raise SSMError("MissingAuthenticationTokenException", "Missing Authentication Token",
                           400, "missing_auth")
        alg, _, rest = auth.strip().partition(" ")
        if alg != "AWS4-HMAC-SHA256":
            raise SSMError("IncompleteSignatureException",
                           "Unsupported AWS 'algorithm': '%s'" % alg, 400, "incomplete_signature")
        parts = {}
        for item in rest.split(","):
            k, _, v = item.strip().partition("=")
            parts[k.strip()] = v.strip()
        for req in ("Credential", "SignedHeaders", "Signature"):
            if not parts.get(req):
                raise SSMError("IncompleteSignatureException",
                               "Authorization header requires '%s' parameter. Authorization=%s"
                               % (req, auth), 400, "incomplete_signature")
        cred = parts["Credential"].split("/")
        if len(cred) != 5:
            raise SSMError("IncompleteSignatureException",
                           "Credential must have exactly 5 slash-delimited elements, e.g. "
                           "keyid/date/region/service/term, got '%s'" % parts["Credential"],
                           400, "incomplete_signature")
        akid, cdate, cregion, cservice, cterm = cred
        amz_date = headers.get("X-Amz-Date")
        if not amz_date:
            raise SSMError("IncompleteSignatureException",
                           "Authorization header requires existence of either a 'X-Amz-Date' "
                           "or a 'Date' header. Authorization=%s" % auth, 400,
                           "incomplete_signature")
        st = self.settings
        known = self._creds.get(akid) or self._rotated.get(akid)
        if known is None:
            raise SSMError("UnrecognizedClientException",
                           "The security token included in the request is invalid.", 400,
                           "unrecognized_client")
        token = headers.get("X-Amz-Security-Token")
        if token != known["token"]:
            raise SSMError("UnrecognizedClientException",
                           "The security token included in the request is invalid.", 400,
                           "unrecognized_client")
        if known["expired"] or known.get("refuse_after", float("inf")) < self.now():
            raise SSMError("ExpiredTokenException",
                           "The security token included in the request is expired", 400,
                           "expired_token")
        try:
            t_req = _parse_amz_date(amz_date)
        except ValueError:
            raise SSMError("IncompleteSignatureException",
                           "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                           "http://en.wikipedia.org/wiki/ISO_8601" % amz_date, 400,
                           "incomplete_signature") from None
        now = self.now()
        if t_req < now - 300:
            raise SSMError("InvalidSignatureException",
                           "Signature expired: %s is now earlier than %s (%s - 5 min.)"
                           % (amz_date, _amz(now - 300), _amz(now)), 400, "skew")
        if t_req > now + 300:
            raise SSMError("InvalidSignatureException",
                           "Signature not yet current: %s is still later than %s (%s + 5 min.)"
                           % (amz_date, _amz(now + 300), _amz(now)), 400, "skew")
        if cdate != amz_date[:8]:
            raise SSMError("InvalidSignatureException",
                           "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                           "version of date from HTTP: '%s' != '%s', from 'x-amz-date'."
                           % (cdate, amz_date[:8]), 400, "bad_signature")
        if st.region != "*" and cregion != st.region:
            raise SSMError("InvalidSignatureException",
                           "Credential should be scoped to a valid region, not '%s'. " % cregion,
                           400, "bad_signature")
        if cservice != "ssm":
            raise SSMError("InvalidSignatureException",
                           "Credential should be scoped to correct service: 'ssm'. ", 400,
                           "bad_signature")
        if cterm != "aws4_request":
            raise SSMError("InvalidSignatureException",
                           "Credential should be scoped with a valid terminator: "
                           "'aws4_request', not '%s'. " % cterm, 400, "bad_signature")
        signed = [s.strip().lower() for s in parts["SignedHeaders"].split(";") if s.strip()]
        if "host" not in signed:
            raise SSMError("InvalidSignatureException",
                           "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                           "Authorization.", 400, "bad_signature")
        if token is not None and "x-amz-security-token" not in signed:
            raise SSMError("InvalidSignatureException",
                           "'X-Amz-Security-Token' must be a 'SignedHeader' when a session "
                           "token is sent (fakessm requires it, as botocore does).", 400,
                           "bad_signature")
        classes = _verifier_class()
        if classes is None:
            raise SSMError("InternalFailure", "fakessm: botocore is needed to check "
                           "signatures (or run with --no-auth)", 500, "5xx")
        host = headers.get("Host") or "%s:%d" % (self.host, self.port)
        url = "%s://%s%s" % ("https" if self.tls else "http", host, h.path)
        verifier, aws_request, http_headers, ro_creds = classes
        hh = http_headers()
        for k, v in headers.items():
            hh[k] = v
        req = aws_request(method=h.command, url=url, headers=hh, data=body)
        req.context["timestamp"] = amz_date
        v = verifier(ro_creds(akid, known["secret"], known["token"]), "ssm", cregion, signed)
        want = v.signature(v.string_to_sign(req, v.canonical_request(req)), req)
        if not hmac.compare_digest(want, parts["Signature"]):
            raise SSMError("InvalidSignatureException", AUTH_MISMATCH, 400, "bad_signature")
        return akid

    # ---- operations

    def _arn(self, name):
        st = self.settings
        region = st.region if st.region != "*" else DEFAULT_REGION
        return "arn:aws:ssm:%s:%s:parameter%s%s" % (region, st.account,
                                                    "" if name.startswith("/") else "/", name)

    def _param(self, name, ver, decrypt, selector=None):
        value = ver["Value"]
        if ver["Type"] == "SecureString" and not decrypt:
            digest = hashlib.sha256(("%s\0%d\0%s" % (name, ver["Version"], value)).encode())
            value = base64.b64encode(b"\x01\x02\x02\x00x" + b"fakessm-kms:" + digest.digest()
                                     + digest.digest()[:13]).decode()
        nul = self.settings.nul_value
        if nul is not None and name.startswith(nul):
            mid = len(value) // 2
            value = value[:mid] + "\u0000" + value[mid:]
            self.counters.fault("nul_value")
        p = {"Name": name, "Type": ver["Type"], "Value": value, "Version": ver["Version"]}
        if selector:
            p["Selector"] = selector
        p["LastModifiedDate"] = ver["LastModifiedDate"]
        p["ARN"] = self._arn(name)
        p["DataType"] = "text"
        return p

    def _denied(self, op, resource):
        for pre in self.settings.access_denied:
            if resource.startswith(pre):
                st = self.settings
                raise SSMError("AccessDeniedException",
                               "User: arn:aws:iam::%s:user/fakessm is not authorized to perform: "
                               "ssm:%s on resource: %s because no identity-based policy allows "
                               "the ssm:%s action" % (st.account, op, self._arn(resource), op),
                               400, "access_denied")

    def _kms_check(self, params_and_names, decrypt):
        if not decrypt or not self.settings.kms_denied:
            return
        for name, ver in params_and_names:
            if ver["Type"] != "SecureString":
                continue
            for pre in self.settings.kms_denied:
                if name.startswith(pre):
                    raise SSMError(
                        "AccessDeniedException",
                        "The ciphertext refers to a customer master key that does not exist, "
                        "does not exist in this region, or you are not allowed to access. "
                        "(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
                        "Request ID: %s; Proxy: null)" % uuid.uuid4(), 400, "kms_denied")

    @staticmethod
    def _want_bool(req, key):
        v = req.get(key, False)
        if not isinstance(v, bool):
            raise SSMError("SerializationException",
                           "Unexpected value for %s: expected a boolean" % key)
        return v

    def _token(self, obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()
                                        ).decode().rstrip("=")

    def _untoken(self, tok):
        try:
            pad = "=" * (-len(tok) % 4)
            obj = json.loads(base64.urlsafe_b64decode(tok + pad))
            if not isinstance(obj, dict):
                raise ValueError
            return obj
        except (ValueError, TypeError, UnicodeDecodeError):
            raise SSMError("InvalidNextToken", "The specified token isn't valid.", 400,
                           "invalid_next_token") from None

    def op_get_parameters_by_path(self, req):
        st = self.settings
        path = req.get("Path")
        if path is None:
            raise SSMError("ValidationException", "1 validation error detected: Value null at "
                           "'path' failed to satisfy constraint: Member must not be null", 400,
                           "validation")
        if not isinstance(path, str):
            raise SSMError("SerializationException", "Unexpected value for Path")
        if not 1 <= len(path) <= 2048:
            raise SSMError("ValidationException", "1 validation error detected: Value '%s' at "
                           "'path' failed to satisfy constraint: Member must have length "
                           "between 1 and 2048" % path, 400, "validation")
        if not path.startswith("/"):
            raise SSMError("ValidationException", "The parameter doesn't meet the parameter "
                           "name requirements. The parameter name must begin with a forward "
                           "slash \"/\" if it's hierarchical.", 400, "validation")
        if path.count("/") > 15 and len([c for c in path.split("/") if c]) > 15:
            raise SSMError("ValidationException", "The hierarchy level of the parameter "
                           "exceeds the maximum of 15 levels.", 400, "validation")
        recursive = self._want_bool(req, "Recursive")
        decrypt = self._want_bool(req, "WithDecryption")
        maxr = req.get("MaxResults", 10)
        if not isinstance(maxr, int) or isinstance(maxr, bool):
            raise SSMError("SerializationException", "Unexpected value for MaxResults")
        if maxr < 1 or maxr > 10:
            raise SSMError("ValidationException", "1 validation error detected: Value '%d' at "
                           "'maxResults' failed to satisfy constraint: Member must have value "
                           "%s" % (maxr, "less than or equal to 10" if maxr > 10
                                   else "greater than or equal to 1"), 400, "validation")
        filters = self._filters(req.get("ParameterFilters"))
        self._denied("GetParametersByPath", path)

        prefix = path if path.endswith("/") else path + "/"
        tok = req.get("NextToken")
        shape = hashlib.sha256(("%s\0%s\0%s" % (prefix, recursive,
                                                json.dumps(req.get("ParameterFilters"),
                                                           sort_keys=True))).encode()
                               ).hexdigest()[:10]
        after, empty_done = None, False
        net = st.never_ending_token
        if tok is not None:
            if not isinstance(tok, str) or not tok:
                raise SSMError("InvalidNextToken", "The specified token isn't valid.", 400,
                               "invalid_next_token")
            if net == "same" and tok == "fakessm-same-token":
                after = None
            else:
                t = self._untoken(tok)
                if t.get("h") != shape:
                    raise SSMError("InvalidNextToken", "The specified token isn't valid.", 400,
                                   "invalid_next_token")
                after, empty_done = t.get("a"), bool(t.get("e"))

        if not empty_done and st.empty_pages.fire():
            self.counters.fault("empty_page")
            if net == "same":
                return {"Parameters": [], "NextToken": "fakessm-same-token"}, 0
            return {"Parameters": [], "NextToken": self._token({"a": after, "e": 1,
                                                                 "h": shape})}, 0

        store = self.store
        page, more = [], False
        with store.lock:
            names = store.names
            lo = bisect.bisect_left(names, prefix)
            hi = bisect.bisect_left(names, prefix + "\U0010ffff")
            i = bisect.bisect_right(names, after, lo, hi) if after is not None else lo
            while i < hi:
                name = names[i]
                i += 1
                if not recursive and "/" in name[len(prefix):]:
                    continue
                ver = store.params[name][-1]
                if filters and not self._match(ver, filters):
                    continue
                if len(page) == maxr:
                    more = True
                    break
                page.append((name, ver))
        self._kms_check(page, decrypt)
        out = {"Parameters": [self._param(n, v, decrypt) for n, v in page]}
        last = page[-1][0] if page else after
        if more or (st.empty_tail and len(page) == maxr):
            out["NextToken"] = self._token({"a": last, "h": shape})
        if net == "same":
            out["NextToken"] = "fakessm-same-token"
            self.counters.fault("never_ending_token")
        elif net == "new" and "NextToken" not in out:
            out["NextToken"] = self._token({"a": last, "h": shape, "n": next(self._net_n)})
            self.counters.fault("never_ending_token")
        return out, len(page)

    def op_describe_parameters(self, req):
        """Metadata only (no Value): the Path filter (Recursive or OneLevel), up to
        50 a page, as a watch polls for versions."""
        maxr = req.get("MaxResults", 50)
        if not isinstance(maxr, int) or isinstance(maxr, bool) or not 1 <= maxr <= 50:
            raise SSMError("ValidationException", "1 validation error detected: Value at "
                           "'maxResults' failed to satisfy constraint: Member must have value "
                           "between 1 and 50", 400, "validation")
        path, recursive = None, False
        for f in req.get("ParameterFilters") or []:
            if not isinstance(f, dict) or f.get("Key") != "Path":
                raise SSMError("InvalidFilterKey", "this fake filters DescribeParameters by "
                               "Path only", 400, "validation")
            vals = f.get("Values")
            if not isinstance(vals, list) or len(vals) != 1 or not isinstance(vals[0], str):
                raise SSMError("InvalidFilterValue", "one Path value", 400, "validation")
            path, recursive = vals[0], f.get("Option", "OneLevel") == "Recursive"
        if path is None:
            raise SSMError("InvalidFilterKey", "this fake needs a Path filter", 400,
                           "validation")
        self._denied("DescribeParameters", path)
        prefix = path if path.endswith("/") else path + "/"
        tok = req.get("NextToken")
        after = self._untoken(tok).get("a") if isinstance(tok, str) and tok else None
        store, page, more = self.store, [], False
        with store.lock:
            names = store.names
            lo = bisect.bisect_left(names, prefix)
            hi = bisect.bisect_left(names, prefix + "\U0010ffff")
            i = bisect.bisect_right(names, after, lo, hi) if after is not None else lo
            while i < hi:
                name = names[i]
                i += 1
                if not recursive and "/" in name[len(prefix):]:
                    continue
                if len(page) == maxr:
                    more = True
                    break
                ver = store.params[name][-1]
                page.append({"Name": name, "Type": ver["Type"], "Version": ver["Version"],
                             "LastModifiedDate": ver["LastModifiedDate"],
                             "ARN": self._arn(name)})
        out = {"Parameters": page}
        if more:
            out["NextToken"] = self._token({"a": page[-1]["Name"]})
        return out, len(page)

    def _filters(self, filters):
        if filters is None:
            return None
        if not isinstance(filters, list):
            raise SSMError("SerializationException", "Unexpected value for ParameterFilters")
        out = []
        for f in filters:
            key = f.get("Key") if isinstance(f, dict) else None
            opt = f.get("Option", "Equals") if isinstance(f, dict) else None
            vals = f.get("Values") if isinstance(f, dict) else None
            if key not in ("Type", "KeyId", "Label"):
                raise SSMError("InvalidFilterKey", "The following filter key is not valid: %s. "
                               "Valid filter keys include: [Type, KeyId, Label]." % key, 400,
                               "validation")
            if opt not in ("Equals", "BeginsWith") or (key == "Label" and opt != "Equals"):
                raise SSMError("InvalidFilterOption", "The following filter option is not "
                               "valid: %s." % opt, 400, "validation")
            if not isinstance(vals, list) or not 1 <= len(vals) <= 50:
                raise SSMError("InvalidFilterValue", "The following filter values are missing "
                               ": null for filter key %s." % key, 400, "validation")
            out.append((key, opt, [str(v) for v in vals]))
        return out

    @staticmethod
    def _match(ver, filters):
        for key, opt, vals in filters:
            if key == "Type":
                have = [ver["Type"]]
            elif key == "KeyId":
                have = ["alias/aws/ssm"] if ver["Type"] == "SecureString" else []
            else:
                have = list(ver["Labels"])
            if opt == "Equals":
                if not any(h in vals for h in have):
                    return False
            elif not any(h.startswith(v) for h in have for v in vals):
                return False
        return True

    def _lookup(self, requested):
        """(name, version dict, selector) for a name, name:VERSION, name:LABEL or ARN."""
        s = requested
        by_arn = s.startswith("arn:")
        if by_arn:
            _, _, s = s.partition(":parameter")
            if not s.startswith("/"):
                return None
        selector = None
        store = self.store
        name = s
        if ":" in s:
            name, _, sel = s.rpartition(":")
            selector = ":" + sel
        with store.lock:
            versions = store.params.get(name)
            if versions is None and by_arn and name.count("/") == 1:
                versions = store.params.get(name[1:])
                name = name[1:] if versions is not None else name
            if versions is None:
                return None
            if selector is None:
                return name, versions[-1], None
            sel = selector[1:]
            if sel.isdigit():
                n = int(sel)
                if 1 <= n <= len(versions):
                    return name, versions[n - 1], selector
                return None
            for v in versions:
                if sel in v["Labels"]:
                    return name, v, selector
        return None

    def op_get_parameters(self, req):
        names = req.get("Names")
        if names is None:
            raise SSMError("ValidationException", "1 validation error detected: Value null at "
                           "'names' failed to satisfy constraint: Member must not be null", 400,
                           "validation")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise SSMError("SerializationException", "Unexpected value for Names")
        if not 1 <= len(names) <= 10:
            raise SSMError("ValidationException", "1 validation error detected: Value '%s' at "
                           "'names' failed to satisfy constraint: Member must have length %s"
                           % ("[" + ", ".join(names) + "]", "less than or equal to 10"
                              if names else "greater than or equal to 1"), 400, "validation")
        decrypt = self._want_bool(req, "WithDecryption")
        for n in names:
            self._denied("GetParameters", n.partition(":")[0] if not n.startswith("arn:") else n)
        found, invalid, seen = [], [], set()
        for n in names:
            hit = self._lookup(n)
            if hit is None:
                if n not in invalid:
                    invalid.append(n)
            elif (hit[0], hit[2]) not in seen:
                seen.add((hit[0], hit[2]))
                found.append(hit)
        self._kms_check([(n, v) for n, v, _s in found], decrypt)
        found.sort(key=lambda x: (x[0], x[2] or ""))
        return ({"Parameters": [self._param(n, v, decrypt, s) for n, v, s in found],
                 "InvalidParameters": invalid}, len(found))

    def op_get_parameter(self, req):
        name = req.get("Name")
        if not isinstance(name, str) or not name:
            raise SSMError("ValidationException", "1 validation error detected: Value null at "
                           "'name' failed to satisfy constraint: Member must not be null", 400,
                           "validation")
        decrypt = self._want_bool(req, "WithDecryption")
        self._denied("GetParameter", name.partition(":")[0] if not name.startswith("arn:")
                     else name)
        hit = self._lookup(name)
        if hit is None:
            base = self._lookup(name.rpartition(":")[0]) if ":" in name else None
            if base is not None:
                raise SSMError("ParameterVersionNotFound", "Systems Manager could not find "
                               "version %s of %s. Verify the version and try again."
                               % (name.rpartition(":")[2], base[0]), 400, "not_found")
            raise SSMError("ParameterNotFound", "", 400, "not_found")
        self._kms_check([(hit[0], hit[1])], decrypt)
        return {"Parameter": self._param(hit[0], hit[1], decrypt, hit[2])}, 1


# --------------------------------------------------------------------------
# TLS material


def gen_cert(directory):
    """Create (once) a self-signed CA and a server certificate for 127.0.0.1, ::1 and
    localhost in DIRECTORY with the openssl CLI. Returns {"ca","ca_key","cert","key"}."""
    os.makedirs(directory, exist_ok=True)
    p = {k: os.path.join(directory, f) for k, f in (("ca", "ca.pem"), ("ca_key", "ca.key"),
                                                     ("cert", "server.pem"),
                                                     ("key", "server.key"))}
    if all(os.path.exists(v) for v in p.values()):
        return p
    ext = os.path.join(directory, "server.ext")
    csr = os.path.join(directory, "server.csr")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,"
                "IP:::1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args):
        r = subprocess.run(["openssl", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode != 0:
            raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr.strip()))

    run("req", "-x509", *ec, "-keyout", p["ca_key"], "-out", p["ca"], "-days", "3650",
        "-subj", "/CN=fakessm test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash")
    run("req", *ec, "-keyout", p["key"], "-out", csr, "-subj", "/CN=localhost")
    run("x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey", p["ca_key"], "-set_serial",
        str(random.SystemRandom().randrange(1 << 60)), "-days", "825", "-extfile", ext,
        "-out", p["cert"])
    for f in (csr, ext):
        os.unlink(f)
    os.chmod(p["key"], 0o600)
    os.chmod(p["ca_key"], 0o600)
    return p


# --------------------------------------------------------------------------
# Driving a fake in another process


def control(url, call, body=None, method=None, ca=None, timeout=10):
    """Call the control API of the fake at URL: control(url, "stats") etc."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url.rstrip("/") + "/__fake/" + call, data=data,
                                 method=method or ("POST" if data is not None else "GET"),
                                 headers={"Content-Type": "application/json"})
    ctx = None
    if url.startswith("https"):
        ctx = ssl.create_default_context(cafile=ca) if ca else ssl._create_unverified_context()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=ctx))
    with opener.open(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


class FakeSSMProcess:
    """python3 tests/fakessm.py ARGS... as a subprocess, stopped by PID.

        with FakeSSMProcess("--generate", "/app:57", "--rate-limit", "40") as p:
            p.url, p.port, p.pid, p.stats(), p.set(error_5xx="first:1")
    """

    def __init__(self, *args, python=None, env=None, startup_timeout=20, stderr=None):
        self.args = [str(a) for a in args]
        self.python = python or sys.executable
        self.env = env
        self.startup_timeout = startup_timeout
        self.stderr = stderr
        self.proc = None
        self.info = {}

    def start(self):
        cmd = [self.python, os.path.abspath(__file__)]
        if "--port" not in self.args:
            cmd += ["--port", "0"]
        cmd += self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=self.env)
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + self.startup_timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                self.stop()
                raise RuntimeError("fakessm did not start within %ss" % self.startup_timeout)
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                code = self.proc.wait()
                raise RuntimeError("fakessm exited with status %s before it was ready" % code)
            line += chunk
        sel.close()
        self.info = json.loads(line.decode())
        return self

    @property
    def url(self):
        return self.info["url"]

    @property
    def port(self):
        return self.info["port"]

    @property
    def pid(self):
        return self.info.get("pid", self.proc.pid if self.proc else None)

    @property
    def ca(self):
        return self.info.get("ca")

    def stats(self):
        return control(self.url, "stats", ca=self.ca)

    def reset_stats(self):
        return control(self.url, "reset-stats", method="POST", ca=self.ca)

    def set(self, **options):
        return control(self.url, "config", options, ca=self.ca)

    def config(self):
        return control(self.url, "config", ca=self.ca)

    def add_params(self, items):
        return control(self.url, "params", items, ca=self.ca)

    def requests(self, since=0):
        return control(self.url, "requests?since=%d" % since, ca=self.ca)

    def stop(self, timeout=10):
        """SIGTERM by PID, wait, SIGKILL if needed. Returns the exit status."""
        p = self.proc
        if p is None:
            return None
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
        if p.stdout:
            p.stdout.close()
        self.proc = None
        return p.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# Command line


def build_parser():
    ap = argparse.ArgumentParser(
        prog="fakessm.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A fault-injecting fake of AWS SSM Parameter Store (GetParametersByPath, "
                    "GetParameters, GetParameter over AWS JSON 1.1 with SigV4), with fake "
                    "ECS container-credentials and EC2 IMDSv2 endpoints on the same port. "
                    "Prints one JSON line {\"port\",\"pid\",\"url\"} on stdout when ready; "
                    "SIGTERM or SIGINT stops it (exit 0).",
        epilog=EPILOG)
    S = argparse.SUPPRESS
    g = ap.add_argument_group("serving")
    g.add_argument("--host", default="127.0.0.1",
                   help="loopback address to bind (default 127.0.0.1; only loopback allowed)")
    g.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    g.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with these PEMs")
    g.add_argument("--tls-dir", metavar="DIR",
                   help="serve HTTPS with a CA and certificate created (once) in DIR as "
                        "--gen-cert does; the ready line then has \"ca\"")
    g.add_argument("--gen-cert", metavar="DIR",
                   help="create DIR/ca.pem, ca.key, server.pem, server.key (a self-signed CA "
                        "and a server certificate for 127.0.0.1, ::1 and localhost; clients "
                        "trust it with AWS_CA_BUNDLE=DIR/ca.pem), print their paths as JSON "
                        "and exit")
    g.add_argument("--backlog", type=int, default=1024, help="listen backlog (default 1024)")
    g.add_argument("--container-path", action="append", metavar="PATH",
                   help="path (and anything under it) that serves container credentials; "
                        "repeatable (default /creds)")
    g.add_argument("--idle-timeout", type=float, default=S, metavar="SEC",
                   help="close a connection idle this long (default 120)")
    g.add_argument("--verbose", "-v", action="store_true", default=S,
                   help="log every request to stderr")

    g = ap.add_argument_group("parameters")
    g.add_argument("--seed", action="append", metavar="FILE",
                   help="JSON file: [{\"Name\",\"Type\",\"Value\",\"Labels\"?}...]; repeatable; "
                        "a name seen again becomes a new version")
    g.add_argument("--generate", action="append", metavar="PREFIX:N[:TYPE]",
                   help="N parameters PREFIX/p0000.. with value \"%%04d-<sha256(name)[:12]>\" "
                        "(fakessm.generated_value); TYPE String (default), SecureString, "
                        "StringList or mixed; repeatable")
    g.add_argument("--region", default=S,
                   help="region of the credential scope and ARNs (default us-east-1; '*' "
                        "accepts any scope)")
    g.add_argument("--account", default=S, help="account id in ARNs (default 123456789012)")

    g = ap.add_argument_group("signature (SigV4, service ssm)")
    g.add_argument("--no-auth", dest="auth", action="store_false", default=S,
                   help="do not check signatures")
    g.add_argument("--access-key", default=S, help="default " + DEFAULT_ACCESS_KEY)
    g.add_argument("--secret-key", default=S, help="default " + DEFAULT_SECRET_KEY)
    g.add_argument("--session-token", default=S,
                   help="require this X-Amz-Security-Token with --access-key (default none)")
    g.add_argument("--container-creds", default=S, metavar="AKID:SECRET:TOKEN",
                   help="credentials the container endpoint serves (SSM accepts them)")
    g.add_argument("--imds-creds", default=S, metavar="AKID:SECRET:TOKEN",
                   help="credentials IMDS serves (SSM accepts them)")
    g.add_argument("--skew", type=float, default=S, metavar="SECONDS",
                   help="offset the server's clock (Date header, X-Amz-Date check +-5 min, "
                        "credential expirations)")

    g = ap.add_argument_group("faults (see TRIGGER below)")
    g.add_argument("--latency-ms", default=S, metavar="MS[@TRIGGER]",
                   help="delay before answering")
    g.add_argument("--rate-limit", type=float, default=S, metavar="RPS",
                   help="token bucket over all SSM calls; over it: 400 ThrottlingException "
                        "\"Rate exceeded\" (0 = off)")
    g.add_argument("--burst", type=int, default=S,
                   help="bucket size (default: RPS rounded, at least 1)")
    g.add_argument("--throttle", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="answer ThrottlingException when TRIGGER fires (independent of the "
                        "bucket)")
    g.add_argument("--error-5xx", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="answer a server error (see --error-5xx-kind)")
    g.add_argument("--error-5xx-kind", default=S, choices=FIVEXX_KINDS,
                   help="500: JSON InternalServerError (default); 503 and 504: empty body; "
                        "502: an HTML page; mixed: 500, 503, 502, 504 in turn")
    g.add_argument("--reset", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="close the connection without an answer")
    g.add_argument("--reset-mode", default=S, choices=("rst", "fin"),
                   help="rst: SO_LINGER 0, the client sees a reset (default); fin: plain close")
    g.add_argument("--truncate", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="send a Content-Length larger than the body sent (half), then close")
    g.add_argument("--malformed-json", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="200 with a cut-off JSON body (Content-Length correct)")
    g.add_argument("--wrong-content-type", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="200 text/html captive-portal page")
    g.add_argument("--drip", default=S, metavar="BYTES_PER_SEC[@TRIGGER]",
                   help="send the body slowly (headers at once)")
    g.add_argument("--oversize", default=S, metavar="BYTES[@TRIGGER]",
                   help="pad a 200 JSON answer with whitespace past BYTES (still valid JSON)")
    g.add_argument("--access-denied", action="append", default=S, metavar="PATH_PREFIX",
                   help="AccessDeniedException (IAM) for paths/names starting with it; "
                        "repeatable")
    g.add_argument("--kms-denied", action="append", default=S, metavar="PATH_PREFIX",
                   help="with WithDecryption, a call whose answer would hold a SecureString "
                        "under PATH_PREFIX fails whole with AccessDeniedException (KMS); "
                        "repeatable")
    g.add_argument("--never-ending-token", nargs="?", const="same", default=S,
                   choices=("off", "same", "new"),
                   help="same: always NextToken \"fakessm-same-token\" (which restarts at the "
                        "first page); new: after the last page, empty pages with a new token "
                        "each time")
    g.add_argument("--nul-value", nargs="?", const="", default=S, metavar="NAME_PREFIX",
                   help="put a \\u0000 in the middle of the values of parameters under "
                        "NAME_PREFIX (bare flag: all)")
    g.add_argument("--empty-pages", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="before a page, answer an empty page with a NextToken, as AWS may")
    g.add_argument("--empty-tail", action="store_true", default=S,
                   help="moto's pagination: a full last page carries a NextToken, then an empty "
                        "page ends the list")
    g.add_argument("--echo-request", nargs="?", const="all", default=S, metavar="TRIGGER",
                   help="400 AccessDeniedException whose message quotes the request back: "
                        "every header (the Authorization header and the session token too) "
                        "and the body, as some servers and proxies do")
    g.add_argument("--random-seed", type=int, default=S,
                   help="seed for RATE triggers (default 0)")
    g.add_argument("--hang-seconds", type=float, default=S,
                   help="how long a 'hang' fault holds the connection before closing it "
                        "(default 30)")

    g = ap.add_argument_group("container credentials endpoint")
    g.add_argument("--container-token", default=S,
                   help="require exactly this Authorization header (401 otherwise)")
    g.add_argument("--container-fault", default=S, metavar="KIND[@TRIGGER]",
                   help="KIND: 404, 500, garbage (200, not JSON), missing-fields (no Token/"
                        "Secret), slow (--container-delay-ms, then OK), hang")
    g.add_argument("--container-delay-ms", type=float, default=S,
                   help="delay of the 'slow' fault (default 3000)")
    g.add_argument("--container-expired", action="store_true", default=S,
                   help="serve an Expiration an hour ago; SSM answers ExpiredTokenException "
                        "to those keys")
    g.add_argument("--container-rotate-s", type=float, default=S, metavar="R",
                   help="each request hands out new keys whose Expiration is R s past the "
                        "SDKs' 15-minute refresh window; SSM answers ExpiredTokenException "
                        "to a key once it is 2R s old (default 0: off)")

    g = ap.add_argument_group("EC2 IMDS endpoint")
    g.add_argument("--imds-v1", action="store_true", default=S,
                   help="allow GETs without a session token (IMDSv1)")
    g.add_argument("--imds-token-fault", default=S, metavar="KIND[@TRIGGER]",
                   help="the token PUT answers KIND: 400, 403, 404, 405, or hang (no answer "
                        "until --hang-seconds, a client timeout)")
    g.add_argument("--imds-creds-fault", default=S, metavar="KIND[@TRIGGER]",
                   help="the credentials GET answers KIND: 404, 500, garbage, empty, error-code "
                        "(200 {\"Code\":\"AssumeRoleUnauthorizedAccess\",...}), slow "
                        "(--imds-delay-ms)")
    g.add_argument("--imds-delay-ms", type=float, default=S,
                   help="delay of the 'slow' fault (default 3000)")
    g.add_argument("--imds-no-role", action="store_true", default=S,
                   help="404 for the role listing (no instance profile)")
    g.add_argument("--imds-expired", action="store_true", default=S,
                   help="serve an Expiration an hour ago; SSM answers ExpiredTokenException "
                        "to those keys")
    g.add_argument("--imds-extended", action="store_true", default=S,
                   help="serve .../security-credentials-extended/ too (with AccountId)")
    g.add_argument("--imds-role", default=S, help="role name (default %s)" % DEFAULT_ROLE)
    g.add_argument("--imds-region", default=S, help="placement region (default us-east-1)")
    return ap


STARTUP = ("host", "port", "tls", "tls_dir", "gen_cert", "backlog", "container_path", "seed",
           "generate")


def main(argv=None):
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ap = build_parser()
    a = ap.parse_args(argv)
    if a.gen_cert:
        print(json.dumps(gen_cert(a.gen_cert)), flush=True)
        return 0
    opts = {k: v for k, v in vars(a).items() if k not in STARTUP}
    try:
        fake = FakeSSM(host=a.host, port=a.port, tls=tuple(a.tls) if a.tls else None,
                       tls_dir=a.tls_dir, seed=a.seed, generate=a.generate or (),
                       container_paths=a.container_path or DEFAULT_CONTAINER_PATHS,
                       backlog=a.backlog, **opts)
    except (ValueError, OSError, RuntimeError) as e:
        ap.error(str(e))
    if stop.is_set():
        return 0
    fake.start()
    ready = {"port": fake.port, "pid": os.getpid(), "url": fake.url}
    if fake.ca:
        ready["ca"] = fake.ca
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
