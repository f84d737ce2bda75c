"""envssm's credential chain end to end, on loopback only.

Run with `python3 tests/integration/run.py -k Creds [--envssm PATH]`.

- AssumeRole against a moto_server with signature checking on and IAM trust
  policies enforced: an allowed role fetches parameters with the assumed-role
  credentials; a role whose trust policy does not name the user, or a user whose
  policy does not allow sts:AssumeRole, fails with 125 and AccessDenied, as on AWS.
  source_profile chains, loops, credential_source=Environment, external_id.
- Web identity: AssumeRoleWithWebIdentity is unsigned, and moto with signature
  checking on crashes on it (aws-reference 6), so AWS_ENDPOINT_URL_STS points at a
  second moto started without signature checking (stopped by PID); the credentials
  it issues are valid only there, so that run also reads SSM there.
- credential_process scripts that succeed, fail, print garbage, hang, or hand back
  expired keys.
- The container endpoint and IMDS served by tests/fakessm.py on loopback, handing out
  real (moto STS) session credentials: token and token file, 401, 404, garbage,
  expired; IMDSv2, the IMDSv1 fallback on 403 and on a token PUT that times out,
  IMDSv1 disabled, no role, the region from IMDS.
- SSO: a cached token file and a stub portal on loopback.
- --explain: its report, its exit status, and that it holds no secret.

Nothing here may send a packet off loopback: every environment is checked by
check_pinned (IMDS disabled or pointed at the loopback fake, every endpoint URL on
127.0.0.1, never AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, which would go to
169.254.170.2; the URL that variable builds is unit-tested instead). Every output is
grepped for the registered secrets.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import motoserver  # noqa: E402
from motoserver import REGION, Credentials, find_leaks, register_secret, secret_token  # noqa: E402
from fakessm import FakeSSM  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
PYTHON = os.path.realpath(sys.executable)
ACCOUNT = "123456789012"
RUN_TIMEOUT_S = 60
SAFE_PATH = motoserver.SAFE_PATH
DUMP_ENV = ("import sys\n"
            "d = open('/proc/self/environ', 'rb').read()\n"
            "open(sys.argv[1], 'wb').write(d)\n")
FORBIDDEN = [b"AWS4-HMAC-SHA256", b"Signature=", b"Credential=", b"X-Amz-Security-Token"]
LOOPBACK_URL = re.compile(r"^https?://(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?(/|$)")

SERVER = None      # moto, signature checking on
PLAIN = None       # moto, no signature checking (web identity)
TMP = None
IAM = {}           # names -> ARNs and keys made in setUpModule
VALUE = None       # the value of /creds/app/secret on SERVER
PLAIN_VALUE = None # the value of /web/app/secret on PLAIN
RUNS = []
_lock = threading.Lock()


def check_pinned(env):
    """Refuse an environment that could make envssm leave loopback."""
    imds_off = env.get("AWS_EC2_METADATA_DISABLED") == "true"
    imds_ep = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "")
    if not imds_off and not LOOPBACK_URL.match(imds_ep):
        raise AssertionError("IMDS neither disabled nor pointed at loopback: %r" % imds_ep)
    if "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" in env:
        raise AssertionError("RELATIVE_URI would reach 169.254.170.2")
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if full is not None and not (LOOPBACK_URL.match(full) or full.startswith("http://[::ffff:127.0.0.1]")):
        raise AssertionError("FULL_URI is not loopback: %r" % full)
    for k, v in env.items():
        if k.startswith("AWS_ENDPOINT_URL") and not LOOPBACK_URL.match(v):
            raise AssertionError("%s is not a loopback URL: %r" % (k, v))
    if "AWS_ENDPOINT_URL" not in env:
        raise AssertionError("AWS_ENDPOINT_URL must pin every service to loopback")
    for k in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        if k in env:
            raise AssertionError("a proxy variable would be followed: %s" % k)


# ---------------------------------------------------------------------------
# servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PlainMoto:
    """A second moto_server, without signature checking, stopped by PID."""

    def __init__(self):
        self.proc = None
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.TemporaryFile()

    def start(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and not k.startswith("MOTO_")}
        self.proc = subprocess.Popen([motoserver.moto_server_path(), "-H", "127.0.0.1",
                                      "-p", str(self.port)], env=env, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT, close_fds=True)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the second moto_server exited with %s" % self.proc.returncode)
            try:
                opener.open(self.endpoint + "/moto-api/data.json", timeout=2).read()
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        raise RuntimeError("the second moto_server did not answer on %s" % self.endpoint)

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.log.close()

    def client(self, service):
        import boto3
        import botocore.config
        session = boto3.session.Session(aws_access_key_id="AKIDPLAINMOTO0000000",
                                        aws_secret_access_key="plain", region_name=REGION)
        return session.client(service, endpoint_url=self.endpoint,
                              config=botocore.config.Config(proxies={}))


class SSOPortal:
    """A stub of the SSO portal's GetRoleCredentials on loopback."""

    def __init__(self, token, creds, account="111122223333", role="EnvssmDev"):
        portal = self
        self.token, self.creds, self.account, self.role = token, creds, account, role
        self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                portal.requests.append((self.path, self.headers.get("x-amz-sso_bearer_token")))
                want = "/federation/credentials?role_name=%s&account_id=%s" % (portal.role, portal.account)
                if self.headers.get("x-amz-sso_bearer_token") != portal.token:
                    return self.reply(401, {"message": "Session token not found or invalid"},
                                      "UnauthorizedException")
                if self.path != want:
                    return self.reply(403, {"message": "No access"}, "ForbiddenException")
                c = portal.creds
                self.reply(200, {"roleCredentials": {
                    "accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
                    "sessionToken": c["SessionToken"],
                    "expiration": int((time.time() + 3600) * 1000)}})

            def reply(self, status, obj, error_type=None):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if error_type:
                    self.send_header("x-amzn-ErrorType", error_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------
# IAM


TRUST_DOC = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": None}, "Action": "sts:AssumeRole"}]}


def trust(principal, external_id=None):
    doc = json.loads(json.dumps(TRUST_DOC))
    doc["Statement"][0]["Principal"]["AWS"] = principal
    if external_id is not None:
        doc["Statement"][0]["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps(doc)


def allow(*actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


def setup_iam():
    iam = SERVER.client("iam")
    iam.create_user(UserName="envssm-assumer")
    key = iam.create_access_key(UserName="envssm-assumer")["AccessKey"]
    # moto checks an STS action against the resource "*": allow it there
    iam.put_user_policy(UserName="envssm-assumer", PolicyName="assume",
                        PolicyDocument=allow("sts:AssumeRole"))
    IAM["assumer"] = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
    register_secret("assumer secret", key["SecretAccessKey"])
    assumer_arn = "arn:aws:iam::%s:user/envssm-assumer" % ACCOUNT
    admin_arn = "arn:aws:iam::%s:user/%s" % (ACCOUNT, motoserver.ADMIN_USER)
    denied_arn = "arn:aws:iam::%s:user/%s" % (ACCOUNT, motoserver.DENIED_USER)
    roles = {
        # trusted by the assumer (and by the denied user, whose own policy lacks sts:AssumeRole)
        "ok": trust([assumer_arn, admin_arn, denied_arn]),
        # trusted by nobody envssm runs as
        "forbidden": trust("arn:aws:iam::%s:user/somebody-else" % ACCOUNT),
        # only with the external id
        "ext": trust(assumer_arn, external_id="ext-123"),
        # assumed from the session of another role
        "second": trust("*"),
    }
    for name, doc in roles.items():
        arn = iam.create_role(RoleName="envssm-" + name, AssumeRolePolicyDocument=doc)["Role"]["Arn"]
        iam.put_role_policy(RoleName="envssm-" + name, PolicyName="ssm",
                            PolicyDocument=allow("ssm:*", "sts:AssumeRole"))
        IAM[name] = arn


def session_creds(label):
    """Fresh moto STS credentials (the admin assuming envssm-ok), registered as secrets."""
    c = SERVER.client("sts").assume_role(RoleArn=IAM["ok"], RoleSessionName="envssm-" + label)["Credentials"]
    register_secret(label + " secret", c["SecretAccessKey"])
    register_secret(label + " token", c["SessionToken"])
    return c


def setUpModule():
    global SERVER, PLAIN, TMP, VALUE, PLAIN_VALUE
    if not (os.path.isfile(ENVSSM) and os.access(ENVSSM, os.X_OK)):
        raise RuntimeError("envssm binary not found or not executable: %s (run make)" % ENVSSM)
    TMP = tempfile.mkdtemp(prefix="envssm-creds-")
    try:
        SERVER = motoserver.MotoServer().start()
        setup_iam()
        VALUE = secret_token("creds /creds/app/secret")
        SERVER.put_parameters([("/creds/app/secret", VALUE, "SecureString")])
        PLAIN = PlainMoto().start()
        PLAIN_VALUE = secret_token("creds plain /web/app/secret")
        PLAIN.client("ssm").put_parameter(Name="/web/app/secret", Value=PLAIN_VALUE, Type="SecureString")
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    if PLAIN is not None:
        PLAIN.stop()
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


# ---------------------------------------------------------------------------
# running envssm


class Run:
    def __init__(self, argv, rc, out, err, elapsed, ran):
        self.argv, self.rc, self.out, self.err, self.elapsed, self.ran = argv, rc, out, err, elapsed, ran

    @property
    def text(self):
        return self.out.decode("utf-8", "replace")

    @property
    def error(self):
        return self.err.decode("utf-8", "replace")

    def describe(self):
        return ("argv: %s\nexit: %s after %.2f s\nstdout:\n%s\nstderr:\n%s"
                % (" ".join(self.argv), self.rc, self.elapsed, self.text[-3000:], self.error[-3000:]))


class CredsCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=TMP, prefix=self._testMethodName[:40] + "-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(os.path.join(self.home, ".aws"))
        self._n = 0

    def env(self, creds=None, region=REGION, endpoint=None, **extra):
        """From scratch: IMDS off, everything on loopback, files inside HOME."""
        env = {
            "PATH": SAFE_PATH,
            "HOME": self.home,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": endpoint or SERVER.endpoint,
            "AWS_CONFIG_FILE": os.path.join(self.home, ".aws", "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, ".aws", "credentials"),
            "AWS_MAX_ATTEMPTS": "2",
        }
        if creds is not None:
            env["AWS_ACCESS_KEY_ID"] = creds.access_key_id
            env["AWS_SECRET_ACCESS_KEY"] = creds.secret_access_key
        if region is not None:
            env["AWS_REGION"] = region
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.home, ".aws", name) if "/" not in name else name
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def script(self, name, body):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(path, stat.S_IRWXU)
        return path

    def run_envssm(self, args, env, command=True, verbose=True):
        check_pinned(env)
        self._n += 1
        out_file = os.path.join(self.dir, "environ.%d" % self._n)
        argv = [ENVSSM] + (["-v"] if verbose else []) + list(args)
        if command:
            argv += ["--", PYTHON, "-I", "-S", "-c", DUMP_ENV, out_file]
        start = time.monotonic()
        p = subprocess.Popen(argv, env=env, cwd=self.dir, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.communicate()
            self.fail("envssm did not finish within %d s: %s" % (RUN_TIMEOUT_S, argv))
        run = Run(argv, p.returncode, out, err, time.monotonic() - start, os.path.exists(out_file))
        run.environ = None
        if run.ran:
            with open(out_file, "rb") as f:
                run.environ = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
        with _lock:
            RUNS.append(run)
        leaks = find_leaks(out + err) + [x.decode() for x in FORBIDDEN if x in out + err]
        if leaks:
            self.fail("envssm's output leaks %s\n%s" % (", ".join(leaks), run.describe()))
        return run

    def assert_fetched(self, args, env, var="SECRET", value=None, path="/creds/app"):
        run = self.run_envssm(list(args) + [path], env)
        self.assertEqual(run.rc, 0, "envssm failed\n" + run.describe())
        self.assertTrue(run.ran, "the program did not run\n" + run.describe())
        self.assertEqual(run.environ.get(var.encode()), (value or VALUE).encode(), run.describe())
        return run

    def assert_fails(self, args, env, needles, path="/creds/app", verbose_too=True):
        """125 before the program runs; quiet: one 'envssm: ' line naming every needle."""
        runs = []
        for verbose in ((False, True) if verbose_too else (False,)):
            run = self.run_envssm(list(args) + [path], env, verbose=verbose)
            ctx = run.describe()
            self.assertEqual(run.rc, 125, "wrong exit status\n" + ctx)
            self.assertFalse(run.ran, "the program ran\n" + ctx)
            self.assertEqual(run.out, b"", "envssm wrote to stdout\n" + ctx)
            lines = [l for l in run.error.splitlines() if l.startswith("envssm: ")]
            if not verbose:
                self.assertEqual(len(lines), 1, "not exactly one envssm line\n" + ctx)
                self.assertTrue(run.err.endswith(b"\n"), ctx)
            hits = [l for l in lines if all(n in l for n in needles)]
            self.assertTrue(hits, "no 'envssm: ' line names all of %r\n%s" % (list(needles), ctx))
            runs.append(run)
        return runs


def credentials_file(profiles):
    return "".join("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n"
                   % (name, c.access_key_id, c.secret_access_key) for name, c in profiles.items())


# ---------------------------------------------------------------------------
# 1. AssumeRole against moto with trust policies


class Test1AssumeRole(CredsCase):
    def files(self, config):
        self.write("credentials", credentials_file({"assumer": IAM["assumer"], "denied": SERVER.denied}))
        self.write("config", config)

    def test_allowed_role_end_to_end(self):
        self.files("[profile app]\nrole_arn = %s\nsource_profile = assumer\n" % IAM["ok"])
        run = self.assert_fetched(["--profile", "app"], self.env())
        self.assertIn("credentials from role '%s' of profile 'app', from static keys of profile 'assumer'"
                      % IAM["ok"], run.error)
        # AWS_PROFILE too, with no key in the environment
        self.assert_fetched([], self.env(AWS_PROFILE="app"))

    def test_role_not_trusting_the_user(self):
        self.files("[profile app]\nrole_arn = %s\nsource_profile = assumer\n" % IAM["forbidden"])
        self.assert_fails(["--profile", "app"], self.env(),
                          ["unable to assume role '%s' of profile 'app'" % IAM["forbidden"], "AccessDenied"])

    def test_user_without_sts_permission(self):
        self.files("[profile app]\nrole_arn = %s\nsource_profile = denied\n" % IAM["ok"])
        self.assert_fails(["--profile", "app"], self.env(), ["AccessDenied", IAM["ok"]])

    def test_external_id(self):
        self.files("[profile good]\nrole_arn = %s\nsource_profile = assumer\nexternal_id = ext-123\n"
                   "[profile bad]\nrole_arn = %s\nsource_profile = assumer\nexternal_id = ext-999\n"
                   % (IAM["ext"], IAM["ext"]))
        self.assert_fetched(["--profile", "good"], self.env())
        self.assert_fails(["--profile", "bad"], self.env(), ["AccessDenied"], verbose_too=False)

    def test_source_profile_chain(self):
        # second <- app (a role) <- assumer (keys): two AssumeRole calls
        self.files("[profile second]\nrole_arn = %s\nsource_profile = app\nrole_session_name = envssm-chain\n"
                   "[profile app]\nrole_arn = %s\nsource_profile = assumer\n" % (IAM["second"], IAM["ok"]))
        run = self.assert_fetched(["--profile", "second"], self.env())
        self.assertIn("role '%s' of profile 'second', from role '%s'" % (IAM["second"], IAM["ok"]), run.error)
        run = self.run_envssm(["--explain", "--profile", "second"], self.env(), command=False)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIn("assumed-role/envssm-second/envssm-chain", run.text)

    def test_source_profile_with_keys_and_role_uses_the_keys(self):
        self.write("credentials", credentials_file({"assumer": IAM["assumer"]}))
        self.write("config", "[profile app]\nrole_arn = %s\nsource_profile = assumer\n"
                             "[profile assumer]\nrole_arn = %s\nsource_profile = nowhere\n"
                   % (IAM["ok"], IAM["forbidden"]))
        self.assert_fetched(["--profile", "app"], self.env())

    def test_source_profile_loop(self):
        self.files("[profile a]\nrole_arn = %s\nsource_profile = b\n"
                   "[profile b]\nrole_arn = %s\nsource_profile = a\n" % (IAM["ok"], IAM["ok"]))
        self.assert_fails(["--profile", "a"], self.env(), ["source_profile loop: a -> b -> a"])

    def test_credential_source_environment(self):
        self.files("[profile app]\nrole_arn = %s\ncredential_source = Environment\n" % IAM["ok"])
        # --profile skips the environment provider, not the credential_source
        run = self.assert_fetched(["--profile", "app"], self.env(creds=IAM["assumer"]))
        self.assertIn("from environment", run.error)
        self.assert_fails(["--profile", "app"], self.env(),
                          ["no credentials from credential_source Environment of profile 'app'"],
                          verbose_too=False)

    def test_mfa_serial_refused(self):
        self.files("[profile app]\nrole_arn = %s\nsource_profile = assumer\nmfa_serial = arn:aws:iam::%s:mfa/u\n"
                   % (IAM["ok"], ACCOUNT))
        self.assert_fails(["--profile", "app"], self.env(), ["mfa_serial", "cannot prompt"])

    def test_session_name_and_duration(self):
        self.files("[profile app]\nrole_arn = %s\nsource_profile = assumer\nrole_session_name = envssm-it\n"
                   "duration_seconds = 900\n" % IAM["ok"])
        run = self.run_envssm(["--explain", "--profile", "app"], self.env(), command=False)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIn("arn:aws:sts::%s:assumed-role/envssm-ok/envssm-it" % ACCOUNT, run.text)
        m = re.search(r"expires\s+\S+ \(in (\d+) min\)", run.text)
        self.assertTrue(m and 10 <= int(m.group(1)) <= 15, run.describe())
        self.files("[profile app]\nrole_arn = %s\nsource_profile = assumer\nduration_seconds = 60\n" % IAM["ok"])
        self.assert_fails(["--profile", "app"], self.env(), ["duration_seconds", "900 to 43200"], verbose_too=False)

    def test_sts_endpoint_variable(self):
        # STS goes where AWS_ENDPOINT_URL_STS says; a dead one fails the run
        self.files("[profile app]\nrole_arn = %s\nsource_profile = assumer\n" % IAM["ok"])
        self.assert_fetched(["--profile", "app"], self.env(AWS_ENDPOINT_URL_STS=SERVER.endpoint))
        dead = "http://127.0.0.1:%d" % free_port()
        self.assert_fails(["--profile", "app"], self.env(AWS_ENDPOINT_URL_STS=dead),
                          ["unable to assume role", dead], verbose_too=False)


# ---------------------------------------------------------------------------
# 2. Web identity, against the moto without signature checking


class Test2WebIdentity(CredsCase):
    def token_file(self, text=None):
        token = text or "eyJhbGciOiJSUzI1NiJ9." + secret_token("web identity jwt") + ".sig"
        register_secret("web identity token", token)
        return self.write(os.path.join(self.dir, "token"), token + "\n")

    def test_end_to_end(self):
        role = "arn:aws:iam::%s:role/envssm-web" % ACCOUNT
        env = self.env(endpoint=PLAIN.endpoint, AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file(),
                       AWS_ROLE_ARN=role, AWS_ROLE_SESSION_NAME="pod-1")
        run = self.assert_fetched([], env, value=PLAIN_VALUE, path="/web/app")
        self.assertIn("credentials from web identity role '%s'" % role, run.error)
        run = self.run_envssm(["--explain"], env, command=False)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIn("arn:aws:sts::%s:assumed-role/envssm-web/pod-1" % ACCOUNT, run.text)

    def test_sts_elsewhere(self):
        # only STS on the plain moto: its session keys are unknown to the checking one
        env = self.env(AWS_ENDPOINT_URL_STS=PLAIN.endpoint, AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file(),
                       AWS_ROLE_ARN="arn:aws:iam::%s:role/envssm-web" % ACCOUNT)
        self.assert_fails([], env, ["/creds/app", "InvalidClientTokenId"], verbose_too=False)

    def test_from_profile(self):
        self.write("config", "[profile pod]\nrole_arn = arn:aws:iam::%s:role/envssm-web\n"
                             "web_identity_token_file = %s\n" % (ACCOUNT, self.token_file()))
        self.assert_fetched(["--profile", "pod"], self.env(endpoint=PLAIN.endpoint), value=PLAIN_VALUE,
                            path="/web/app")

    def test_missing_token_file_and_role(self):
        env = self.env(endpoint=PLAIN.endpoint, AWS_WEB_IDENTITY_TOKEN_FILE=os.path.join(self.dir, "absent"),
                       AWS_ROLE_ARN="arn:aws:iam::%s:role/envssm-web" % ACCOUNT)
        self.assert_fails([], env, ["web identity token file", "does not exist"], path="/web/app")
        env = self.env(endpoint=PLAIN.endpoint, AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file())
        self.assert_fails([], env, ["no role ARN", "AWS_ROLE_ARN"], path="/web/app", verbose_too=False)

    def test_signing_moto_refuses_unsigned_sts(self):
        # the moto with signature checking on cannot answer AssumeRoleWithWebIdentity
        env = self.env(AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file(),
                       AWS_ROLE_ARN="arn:aws:iam::%s:role/envssm-web" % ACCOUNT)
        self.assert_fails([], env, ["unable to assume role", "with the web identity token"], verbose_too=False)


# ---------------------------------------------------------------------------
# 3. credential_process


class Test3CredentialProcess(CredsCase):
    def process(self, body, name="helper"):
        path = self.script(name, body)
        self.write("config", "[default]\ncredential_process = '%s' --profile prod\n" % path)
        return path

    def json_for(self, creds, **extra):
        doc = {"Version": 1, "AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key}
        doc.update(extra)
        return json.dumps(doc)

    def test_success(self):
        self.process("cat <<'EOF'\n%s\nEOF" % self.json_for(SERVER.admin))
        run = self.assert_fetched([], self.env())
        self.assertIn("credentials from credential_process", run.error)

    def test_success_with_session_and_expiry(self):
        c = session_creds("process")
        doc = json.dumps({"Version": 1, "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                          "SessionToken": c["SessionToken"], "Expiration": c["Expiration"].isoformat()})
        self.process("cat <<'EOF'\n%s\nEOF" % doc)
        self.assert_fetched([], self.env())

    def test_fails(self):
        self.process("echo 'helper: the vault is sealed' >&2; exit 3")
        runs = self.assert_fails([], self.env(), ["credential_process", "exit status 3"], verbose_too=False)
        self.assertIn("helper: the vault is sealed", runs[0].error)  # its stderr passed through

    def test_garbage(self):
        self.process("echo 'Enter your MFA code:'")
        self.assert_fails([], self.env(), ["credential_process output is not valid JSON"])

    def test_wrong_version_and_missing_key(self):
        self.process("echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}'")
        self.assert_fails([], self.env(), ["Version 2: only 1 is supported"], verbose_too=False)
        self.process("echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'")
        self.assert_fails([], self.env(), ["has no SecretAccessKey"], verbose_too=False)

    def test_expired(self):
        self.process("cat <<'EOF'\n%s\nEOF" % self.json_for(SERVER.admin, Expiration="2020-01-01T00:00:00Z"))
        self.assert_fails([], self.env(), ["expired at 2020-01-01T00:00:00Z"], verbose_too=False)

    def test_hang(self):
        self.process("exec sleep 60")
        runs = self.assert_fails(["--timeout", "2"], self.env(), ["did not finish within", "killed"],
                                 verbose_too=False)
        self.assertLess(runs[0].elapsed, 10, runs[0].describe())

    def test_hang_kills_the_whole_group(self):
        # a helper that leaves a child holding its stdout and envssm's stderr, then
        # hangs: at the deadline the child goes too, and nothing waits on its pipes
        pidfile = os.path.join(self.dir, "grandchild.pid")
        self.process("sleep 30 &\necho $! > '%s'\nexec sleep 30" % pidfile)
        self.addCleanup(kill_pid_in, pidfile)
        runs = self.assert_fails(["--timeout", "1"], self.env(), ["did not finish within", "killed"],
                                 verbose_too=False)
        self.assertLess(runs[0].elapsed, 10, runs[0].describe())
        with open(pidfile) as f:
            pid = int(f.read())
        self.assertTrue(dead(pid), "the helper's child %d outlived envssm" % pid)

    def test_signal_ends_the_helper(self):
        # SIGTERM ends envssm at once (143), and the helper with it
        pidfile = os.path.join(self.dir, "helper.pid")
        self.process("echo $$ > '%s'\nexec sleep 30" % pidfile)
        self.addCleanup(kill_pid_in, pidfile)
        env = self.env()
        check_pinned(env)
        # a file, not a pipe: waiting for the pipe's end would wait for the helper
        with open(os.path.join(self.dir, "stderr"), "w+b") as err:
            p = subprocess.Popen([ENVSSM, "/creds/app", "--", "true"], env=env, cwd=self.dir,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
            end = time.monotonic() + 10
            while not (os.path.exists(pidfile) and os.path.getsize(pidfile) > 0):
                self.assertLess(time.monotonic(), end, "the helper did not start")
                time.sleep(0.02)
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=RUN_TIMEOUT_S)
            err.seek(0)
            self.assertEqual(p.returncode, 128 + signal.SIGTERM, err.read())
        with open(pidfile) as f:
            pid = int(f.read())
        self.assertTrue(dead(pid), "the helper %d outlived envssm" % pid)

    def test_prompt_on_the_terminal(self):
        # in its own process group, a helper that reads the terminal (an MFA code)
        # must be lent it, and the program envssm then runs must get it back
        self.process("printf 'MFA code: ' >&2\nread code\n[ \"$code\" = 246810 ] || exit 4\n"
                     "cat <<'EOF'\n%s\nEOF" % self.json_for(SERVER.admin))
        fg_file = os.path.join(self.dir, "foreground")
        probe = "import os; open(%r, 'w').write(str(os.tcgetpgrp(0) == os.getpgrp()))" % fg_file
        master, slave = os.openpty()
        self.addCleanup(os.close, master)
        env = self.env(AWS_REGION=REGION)
        check_pinned(env)
        argv = [ENVSSM, "--timeout", "20", "/creds/app", "--", PYTHON, "-I", "-S", "-c", probe]
        p = subprocess.Popen(argv, env=env, cwd=self.dir, stdin=slave, stdout=slave, stderr=slave,
                             start_new_session=True, preexec_fn=take_terminal)
        os.close(slave)
        os.write(master, b"246810\n")
        shown = read_until_exit(master, p, RUN_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, shown.decode(errors="replace"))
        self.assertIn(b"MFA code: ", shown)
        self.assertEqual(find_leaks(shown), [])
        with open(fg_file) as f:
            self.assertEqual(f.read(), "True", "the program is not in the terminal's foreground")

    def test_not_found(self):
        self.write("config", "[default]\ncredential_process = %s/absent-helper --secret-flag\n" % self.dir)
        runs = self.assert_fails([], self.env(), ["unable to run credential_process", "absent-helper"],
                                 verbose_too=False)
        self.assertNotIn("--secret-flag", runs[0].error)  # only the program is named

    def test_environment_wins(self):
        self.process("exit 1")
        self.assert_fetched([], self.env(creds=SERVER.admin))


def kill_pid_in(pidfile):
    try:
        with open(pidfile) as f:
            os.kill(int(f.read()), signal.SIGKILL)
    except (OSError, ValueError):
        pass


def dead(pid, wait_s=5):
    """True once pid is gone or a zombie (its new parent may reap it later)."""
    end = time.monotonic() + wait_s
    while True:
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.05)


def take_terminal():
    """In the child, after setsid: make stdin, a terminal, the controlling one."""
    import fcntl
    import termios
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def read_until_exit(master, p, timeout_s):
    """Everything written to the terminal until p exits; kills p past timeout_s."""
    import select
    shown, end = b"", time.monotonic() + timeout_s
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every slave descriptor is closed
                chunk = b""
            shown += chunk
            if not chunk and p.poll() is not None:
                break
        elif p.poll() is not None:
            break
    if p.poll() is None:
        p.kill()
    p.wait()
    return shown


# ---------------------------------------------------------------------------
# 4. The container endpoint, served by fakessm


class Test4Container(CredsCase):
    @classmethod
    def setUpClass(cls):
        cls.creds = session_creds("container")
        cls.token = secret_token("container authorization token")
        cls.fake = FakeSSM(container_creds="%s:%s:%s" % (cls.creds["AccessKeyId"], cls.creds["SecretAccessKey"],
                                                        cls.creds["SessionToken"]),
                           container_token=cls.token, hang_seconds=3).start()
        cls.full = cls.fake.url + "/creds/task-1"

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        super().setUp()
        self.fake.set(container_fault="off", container_expired=False, container_token=self.token)

    def cenv(self, **extra):
        base = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.full,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.token}
        base.update(extra)
        return self.env(**base)

    def test_full_uri_with_token(self):
        run = self.assert_fetched([], self.cenv())
        self.assertIn("credentials from container endpoint %s" % self.full, run.error)

    def test_token_file_wins(self):
        path = self.write(os.path.join(self.dir, "token"), self.token)
        self.assert_fetched([], self.cenv(AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong",
                                          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=path))

    def test_wrong_token(self):
        wrong = secret_token("wrong container token")
        self.assert_fails([], self.cenv(AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong),
                          ["container endpoint", "after 3 attempts: HTTP 401"], verbose_too=False)

    def test_token_with_newline(self):
        path = self.write(os.path.join(self.dir, "token"), self.token + "\n")
        self.assert_fails([], self.cenv(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=path),
                          ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "CR, LF"], verbose_too=False)

    def test_404(self):
        self.fake.set(container_fault="404")
        runs = self.assert_fails([], self.cenv(), ["after 3 attempts: HTTP 404"], verbose_too=False)
        self.assertGreaterEqual(runs[0].elapsed, 1.9, "no pause between attempts")

    def test_recovers_from_500(self):
        self.fake.set(container_fault="500@first:2")
        self.assert_fetched([], self.cenv())

    def test_garbage(self):
        self.fake.set(container_fault="garbage")
        self.assert_fails([], self.cenv(), ["container endpoint"], verbose_too=False)

    def test_expired(self):
        self.fake.set(container_expired=True)
        self.assert_fails([], self.cenv(), ["credentials from container endpoint", "expired at"])

    def test_hang(self):
        self.fake.set(container_fault="hang")
        runs = self.assert_fails([], self.cenv(), ["after 3 attempts: timed out"], verbose_too=False)
        self.assertLess(runs[0].elapsed, 12, runs[0].describe())

    def test_host_not_allowed(self):
        # IPv4-mapped loopback: refused by the SDKs' rule (and loopback if it were not)
        url = "http://[::ffff:127.0.0.1]:%d/creds" % self.fake.port
        self.assert_fails([], self.cenv(AWS_CONTAINER_CREDENTIALS_FULL_URI=url),
                          ["unsupported host", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "use https"])

    def test_no_proxy(self):
        # the metadata endpoint is reached directly even with a proxy variable set;
        # SSM (plain http to moto) honours it and so fails: proof the variable was live
        dead = "http://127.0.0.1:%d" % free_port()
        env = self.cenv()
        check_pinned(env)
        env["http_proxy"] = dead  # loopback, after the check
        p = subprocess.run([ENVSSM, "-v", "/creds/app", "--", PYTHON, "-I", "-S", "-c", "pass"], env=env,
                           capture_output=True, timeout=RUN_TIMEOUT_S)
        self.assertEqual(find_leaks(p.stdout + p.stderr), [])
        self.assertIn(b"credentials from container endpoint", p.stderr, p.stderr)
        self.assertIn(b"unable to fetch '/creds/app'", p.stderr, p.stderr)


# ---------------------------------------------------------------------------
# 5. IMDS, served by fakessm


class Test5IMDS(CredsCase):
    @classmethod
    def setUpClass(cls):
        cls.creds = session_creds("imds")
        cls.fake = FakeSSM(imds_creds="%s:%s:%s" % (cls.creds["AccessKeyId"], cls.creds["SecretAccessKey"],
                                                   cls.creds["SessionToken"]),
                           hang_seconds=3).start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        super().setUp()
        self.fake.set(imds_v1=False, imds_token_fault="off", imds_creds_fault="off", imds_no_role=False,
                      imds_expired=False)

    def ienv(self, **extra):
        base = {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": self.fake.url}
        base.update(extra)
        return self.env(**base)

    def imds_stats(self):
        return self.fake.stats()["imds"]

    def test_v2(self):
        run = self.assert_fetched([], self.ienv())
        self.assertIn("credentials from IMDS role 'fakessm-role' at %s (IMDSv2)" % self.fake.url, run.error)

    def test_v1_fallback_on_403(self):
        self.fake.set(imds_v1=True, imds_token_fault="403")
        before = self.imds_stats().get("v1_requests", 0)
        run = self.assert_fetched([], self.ienv())
        self.assertIn("(IMDSv1)", run.error)
        self.assertGreater(self.imds_stats().get("v1_requests", 0), before)

    def test_v1_fallback_on_token_timeout(self):
        self.fake.set(imds_v1=True, imds_token_fault="hang")
        run = self.assert_fetched([], self.ienv(AWS_METADATA_SERVICE_TIMEOUT="1"))
        self.assertIn("(IMDSv1)", run.error)
        self.assertLess(run.elapsed, 8, run.describe())

    def test_v1_disabled(self):
        self.fake.set(imds_v1=True, imds_token_fault="404")
        self.assert_fails([], self.ienv(AWS_EC2_METADATA_V1_DISABLED="true"),
                          ["IMDS:", "IMDSv1 is disabled"])

    def test_400_gives_up(self):
        self.fake.set(imds_token_fault="400")
        self.assert_fails([], self.ienv(), ["no credentials found", "the token PUT got HTTP 400"],
                          verbose_too=False)

    def test_no_role(self):
        self.fake.set(imds_no_role=True)
        self.assert_fails([], self.ienv(), ["no credentials found", "no instance role", "HTTP 404"])

    def test_error_document(self):
        self.fake.set(imds_creds_fault="error-code")
        self.assert_fails([], self.ienv(), ["AssumeRoleUnauthorizedAccess"], verbose_too=False)

    def test_expired(self):
        self.fake.set(imds_expired=True)
        self.assert_fails([], self.ienv(), ["credentials from IMDS role", "expired at"])

    def test_region_from_imds(self):
        run = self.assert_fetched([], self.ienv(AWS_REGION=None))
        self.assertIn("region us-east-1 (from IMDS)", run.error)
        # disabled: no region, and the message says why
        self.assert_fails([], self.env(region=None, creds=SERVER.admin),
                          ["no region", "IMDS: disabled by AWS_EC2_METADATA_DISABLED"], verbose_too=False)

    def test_skipped_when_an_earlier_provider_answers(self):
        before = self.imds_stats()["requests"]
        self.assert_fetched([], self.ienv(AWS_ACCESS_KEY_ID=SERVER.admin.access_key_id,
                                          AWS_SECRET_ACCESS_KEY=SERVER.admin.secret_access_key))
        self.assertEqual(self.imds_stats()["requests"], before, "IMDS was asked although keys were set")


# ---------------------------------------------------------------------------
# 6. SSO


class Test6SSO(CredsCase):
    @classmethod
    def setUpClass(cls):
        cls.creds = session_creds("sso")
        cls.token = secret_token("sso access token")

    def cache(self, key, token=None, expires_in=3600):
        name = hashlib.sha1(key.encode()).hexdigest() + ".json"
        d = os.path.join(self.home, ".aws", "sso", "cache")
        os.makedirs(d, exist_ok=True)
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in))
        with open(os.path.join(d, name), "w") as f:
            json.dump({"startUrl": "https://d-1.awsapps.com/start", "region": REGION,
                       "accessToken": token or self.token, "expiresAt": exp}, f)

    def config(self, legacy=False):
        if legacy:
            self.write("config", "[default]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = %s\n"
                                 "sso_account_id = 111122223333\nsso_role_name = EnvssmDev\n" % REGION)
        else:
            self.write("config", "[default]\nsso_session = corp\nsso_account_id = 111122223333\n"
                                 "sso_role_name = EnvssmDev\n[sso-session corp]\n"
                                 "sso_start_url = https://d-1.awsapps.com/start\nsso_region = %s\n" % REGION)

    def test_session(self):
        self.config()
        self.cache("corp")
        with SSOPortal(self.token, self.creds) as portal:
            run = self.assert_fetched([], self.env(AWS_ENDPOINT_URL_SSO=portal.url))
            self.assertEqual(len(portal.requests), 1)
        self.assertIn("credentials from sso role 'EnvssmDev' in account 111122223333", run.error)

    def test_legacy(self):
        self.config(legacy=True)
        self.cache("https://d-1.awsapps.com/start")
        with SSOPortal(self.token, self.creds) as portal:
            self.assert_fetched([], self.env(AWS_ENDPOINT_URL_SSO=portal.url))

    def test_missing_and_expired_token(self):
        self.config()
        with SSOPortal(self.token, self.creds) as portal:
            env = self.env(AWS_ENDPOINT_URL_SSO=portal.url)
            self.assert_fails([], env, ["no cached SSO token for session 'corp'", "aws sso login"])
            self.cache("corp", expires_in=-60)
            self.assert_fails([], env, ["cached SSO token for session 'corp' expired", "aws sso login"],
                              verbose_too=False)
            self.assertEqual(portal.requests, [])

    def test_portal_refuses(self):
        self.config()
        self.cache("corp", token=secret_token("stale sso token"))
        with SSOPortal(self.token, self.creds) as portal:
            self.assert_fails([], self.env(AWS_ENDPOINT_URL_SSO=portal.url),
                              ["SSO portal refused", "UnauthorizedException", "aws sso login"], verbose_too=False)


# ---------------------------------------------------------------------------
# 7. --explain and the error that lists every provider


class Test7Explain(CredsCase):
    def test_explain_environment(self):
        admin = SERVER.admin
        run = self.run_envssm(["--explain", "/creds/app"], self.env(creds=admin), command=False, verbose=False)
        self.assertEqual(run.rc, 0, run.describe())
        t = run.text
        for want in ["region                         us-east-1 (from AWS_REGION)",
                     "ssm endpoint                   %s (from AWS_ENDPOINT_URL)" % SERVER.endpoint,
                     "sts endpoint                   %s (from AWS_ENDPOINT_URL), signed for us-east-1" % SERVER.endpoint,
                     "  1. environment               used: environment",
                     "access key id                  ...%s (long-term: no session token)" % admin.access_key_id[-4:],
                     "account                        %s" % ACCOUNT,
                     "arn                            arn:aws:iam::%s:user/%s" % (ACCOUNT, motoserver.ADMIN_USER),
                     "paths                          /creds/app (not fetched)"]:
            self.assertIn(want, t, run.describe())
        self.assertNotIn(admin.access_key_id, t)
        self.assertEqual(run.err, b"")

    def test_explain_names_skipped_providers(self):
        self.write("credentials", credentials_file({"dev": IAM["assumer"]}))
        run = self.run_envssm(["--explain", "--profile", "dev"], self.env(creds=SERVER.admin), command=False)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIn("  1. environment               skipped because --profile was given", run.text)
        self.assertIn("  2. assume role               no role_arn in profile 'dev'", run.text)
        self.assertIn("used: static keys of profile 'dev'", run.text)
        self.assertIn("arn:aws:iam::%s:user/envssm-assumer" % ACCOUNT, run.text)
        self.assertIn("  9. IMDS                      not tried", run.text)

    def test_explain_without_credentials(self):
        run = self.run_envssm(["--explain"], self.env(), command=False, verbose=False)
        self.assertEqual(run.rc, 125, run.describe())
        self.assertIn("  9. IMDS                      disabled by AWS_EC2_METADATA_DISABLED", run.text)
        lines = run.error.splitlines()
        self.assertEqual(len(lines), 1, run.describe())
        self.assertTrue(lines[0].startswith("envssm: no credentials found: "), run.describe())

    def test_explain_bad_keys(self):
        bogus = Credentials("AKIAENVSSMBOGUSKEY01", secret_token("explain bogus secret"))
        run = self.run_envssm(["--explain"], self.env(creds=bogus), command=False, verbose=False)
        self.assertEqual(run.rc, 125, run.describe())
        self.assertIn("unable to call STS GetCallerIdentity", run.error)
        self.assertIn("InvalidClientTokenId", run.error)
        self.assertIn("...EY01", run.text)

    def test_explain_variable_never_runs_the_command(self):
        run = self.run_envssm(["/creds/app"], self.env(creds=SERVER.admin, ENVSSM_EXPLAIN="1"))
        self.assertEqual(run.rc, 0, run.describe())
        self.assertFalse(run.ran, "the command ran under --explain")
        self.assertIn("(not run: --explain)", run.text)

    def test_explain_refuses_format(self):
        run = self.run_envssm(["--explain", "--format", "json", "/creds/app"], self.env(creds=SERVER.admin),
                              command=False)
        self.assertEqual(run.rc, 125)
        self.assertIn("--explain cannot go with --format", run.error)

    def test_no_credentials_one_line(self):
        runs = self.assert_fails([], self.env(), ["no credentials found: environment: AWS_ACCESS_KEY_ID is not set"])
        line = runs[0].error.strip()
        for provider in ["assume role", "web identity", "sso", "shared credentials file", "credential_process",
                         "config file", "container", "IMDS: disabled by AWS_EC2_METADATA_DISABLED"]:
            self.assertIn(provider, line)


# ---------------------------------------------------------------------------


class Test99NoLeaks(unittest.TestCase):
    def test_no_secret_in_any_output(self):
        if not RUNS:
            self.skipTest("no envssm runs recorded (run the whole module)")
        leaky = []
        for r in RUNS:
            output = r.out + r.err
            leaks = find_leaks(output) + [f.decode() for f in FORBIDDEN if f in output]
            if leaks:
                leaky.append("%s leaks %s" % (" ".join(r.argv[1:4]), ", ".join(leaks)))
        self.assertEqual(leaky, [], "\n".join(leaky[:20]))


if __name__ == "__main__":
    unittest.main()
