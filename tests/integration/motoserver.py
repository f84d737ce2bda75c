"""A moto_server with signature checking on, for envssm's integration tests and demo.

    with MotoServer() as moto:
        moto.put_parameter("/production/app/debug", "false")
        env = moto.envssm_env(home)      # what envssm may see, built from scratch
        subprocess.run(["./envssm", "/production/app", "--", ...], env=env)

What start() does:

1. Starts `moto_server -H 127.0.0.1 -p PORT` on a free loopback port (picked by
   binding 127.0.0.1:0; retried if another process wins the race) with
   INITIAL_NO_AUTH_ACTION_COUNT=FREE_REQUESTS, logging to a temp file, and waits for
   it to answer within a deadline.
2. Spends exactly FREE_REQUESTS unauthenticated requests creating an admin IAM user:
   CreateUser, CreateAccessKey, PutUserPolicy (allow everything). moto counts every
   AWS action it dispatches while the count lasts (/moto-api/ calls are not counted),
   so the admin needs all three and nothing else is free.
3. Checks at once that the next request is checked: an unknown key must get
   InvalidClientTokenId. With one free request too many it would be accepted, with
   one too few step 2 fails, so FREE_REQUESTS is pinned exactly.
4. From then on every request is signed with the admin key: the "denied" user, its
   key and its policy, and all seeding.
5. Checks the admin key with a wrong secret gets SignatureDoesNotMatch, and the
   denied user gets AccessDenied from GetParametersByPath on DENIED_PATH while its
   other SSM calls (GetParameters) work.

About the denied user's policy: moto 5.2.1 authorises every SSM action against the
resource "*" (moto.ssm.responses has no _determine_resource, so
BaseResponse.call_action passes "*" to IAMPolicyStatement, which matches the
statement's Resource pattern against that literal "*"). A Deny whose Resource is
arn:aws:ssm:*:*:parameter/denied* therefore never matches in moto and the call is
allowed (checked with boto3). The Deny below names Resource "*" so that moto really
denies ssm:GetParametersByPath; on real AWS that statement denies it on every path,
which includes DENIED_PATH. Everything else in ssm:* stays allowed, so the denial
is specific to the action envssm uses and the user's credentials are valid.

The server is stopped by PID (terminate, wait, kill if needed): by stop(), by the
context manager on any exit, and by an atexit hook for whatever is still running
(stop_on_sigterm() makes SIGTERM unwind through both). Its log goes to a temp
directory that stop() removes; ENVSSM_KEEP_MOTO_LOG=1 keeps it.
"""

import atexit
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

REGION = "us-east-1"
FREE_REQUESTS = 3  # CreateUser + CreateAccessKey + PutUserPolicy for the admin
ADMIN_USER = "envssm-admin"
DENIED_USER = "envssm-denied"
DENIED_PATH = "/denied"
MOTO_INSTALL_HINT = "pip install 'moto[server]'"
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"

ALLOW_ALL_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
DENIED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"},
        # Resource "*", not arn:aws:ssm:*:*:parameter/denied*: see the module docstring.
        {"Effect": "Deny", "Action": "ssm:GetParametersByPath", "Resource": "*"},
    ],
}

# Values that must never appear in envssm's own output: label -> value.
# secret_token() registers every distinctive token the tests put into parameter
# values; start() registers the secret access keys it creates.
SECRETS = {}

_running = set()


class HarnessError(Exception):
    """moto could not be started or set up as the tests need it."""


class Credentials:
    def __init__(self, access_key_id, secret_access_key):
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key

    def __repr__(self):
        return "Credentials(%r, <secret>)" % self.access_key_id


def secret_token(label):
    """Return a new distinctive random token (ASCII) and register it as a secret."""
    token = "sv" + secrets.token_hex(12)
    SECRETS["%s#%d" % (label, len(SECRETS))] = token
    return token


def register_secret(label, value):
    SECRETS["%s#%d" % (label, len(SECRETS))] = value
    return value


def find_leaks(output, window=12):
    """Return the labels of registered secrets that occur in output (bytes or str).

    Tokens made by secret_token() are also caught when only part of them leaked
    (any `window` consecutive characters of their random part)."""
    if isinstance(output, bytes):
        output = output.decode("utf-8", "surrogateescape")
    leaks = []
    for label, value in list(SECRETS.items()):
        if not value:
            continue
        if value in output:
            leaks.append(label)
            continue
        if re.fullmatch(r"sv[0-9a-f]{24}", value):
            for i in range(0, len(value) - window + 1):
                if value[i:i + window] in output:
                    leaks.append(label + " (partial)")
                    break
    return leaks


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_server_path():
    path = shutil.which("moto_server")
    if path is None:
        raise HarnessError("moto_server is not installed (not on PATH): " + MOTO_INSTALL_HINT)
    return path


def import_boto3():
    try:
        import boto3
        import botocore.config
        import botocore.exceptions
        import botocore.session
    except ImportError as e:
        raise HarnessError("boto3 is not installed (%s): %s" % (e, MOTO_INSTALL_HINT))
    return boto3, botocore


class MotoServer:
    def __init__(self, free_requests=FREE_REQUESTS, start_timeout_s=30.0, keep_log=None):
        self.free_requests = free_requests
        self.start_timeout_s = start_timeout_s
        if keep_log is None:
            keep_log = os.environ.get("ENVSSM_KEEP_MOTO_LOG") == "1"
        self.keep_log = keep_log
        self.proc = None
        self.port = None
        self.endpoint = None
        self.tmpdir = None
        self.log_path = None
        self._log_file = None
        self._boto_config = None
        self.admin = None
        self.denied = None
        self._clients = {}

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        """Start moto, create the IAM users, check the auth setup. Returns self."""
        import_boto3()
        binary = moto_server_path()
        last_error = None
        for _attempt in range(5):
            try:
                self._spawn(binary)
                break
            except _PortTaken as e:
                last_error = e
                self.stop()
        else:
            raise HarnessError("could not start moto_server on a free port: %s" % last_error)
        try:
            self._bootstrap()
            self._verify_auth()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, binary):
        self.port = free_loopback_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.tmpdir = tempfile.mkdtemp(prefix="envssm-moto-")
        self.log_path = os.path.join(self.tmpdir, "moto_server.log")
        self._log_file = open(self.log_path, "wb")
        # boto3 in this process must not read the caller's AWS_PROFILE or ~/.aws.
        self._boto_config = os.path.join(self.tmpdir, "boto-config")
        with open(self._boto_config, "w") as f:
            f.write("[default]\n")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and not k.startswith("MOTO_")}
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.free_requests)
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
            env=env, close_fds=True)
        _running.add(self)
        deadline = time.monotonic() + self.start_timeout_s
        banner = ("Running on %s" % self.endpoint).encode()
        while True:
            if self.proc.poll() is not None:
                log = self.log_tail()
                if "Address already in use" in log or "in use by another program" in log:
                    raise _PortTaken("port %d: %s" % (self.port, log.strip()[-200:]))
                raise HarnessError("moto_server exited with status %s before answering; log %s:\n%s"
                                   % (self.proc.returncode, self.log_path, log))
            if banner in self._read_log() and self._answers():
                # Answered, and the banner says it is our process that bound the port.
                if self.proc.poll() is None:
                    return
            if time.monotonic() > deadline:
                raise HarnessError("moto_server did not answer on %s within %.0f s; log %s:\n%s"
                                   % (self.endpoint, self.start_timeout_s, self.log_path,
                                      self.log_tail()))
            time.sleep(0.05)

    def _answers(self):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.endpoint + "/moto-api/data.json", timeout=2) as r:
                r.read()
                return True
        except (urllib.error.URLError, OSError):
            return False

    def _read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def log_tail(self, n=4000):
        return self._read_log()[-n:].decode("utf-8", "replace")

    def stop(self):
        """Stop the server by PID; safe to call more than once."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        _running.discard(self)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.tmpdir and not self.keep_log:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        self._clients.clear()

    # -- IAM setup ---------------------------------------------------------

    def _bootstrap(self):
        _, botocore = import_boto3()
        # Free requests: exactly FREE_REQUESTS of them, no retries (a retry would
        # spend another one). The bootstrap key is never checked.
        boot = self.client("iam", Credentials("AKIDENVSSMBOOTSTRAP", "bootstrap"),
                           cache=False, max_attempts=1)
        boot.create_user(UserName=ADMIN_USER)                                   # 1
        key = boot.create_access_key(UserName=ADMIN_USER)["AccessKey"]          # 2
        boot.put_user_policy(UserName=ADMIN_USER, PolicyName="allow-all",       # 3
                             PolicyDocument=json.dumps(ALLOW_ALL_POLICY))
        self.admin = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        register_secret("admin secret access key", self.admin.secret_access_key)

        # The very next request must already be checked: an unknown key is refused
        # only if no free request is left over.
        unknown = self.client("ssm", Credentials("AKIDENVSSMUNKNOWNKEY", "nope"),
                              cache=False, max_attempts=1)
        try:
            unknown.get_parameters_by_path(Path="/")
        except botocore.exceptions.ClientError as e:
            if "InvalidClientTokenId" not in str(e.response.get("Error")):
                raise HarnessError("unexpected answer to an unknown key: %r" % e.response.get("Error"))
        else:
            raise HarnessError("signature checking is not on after %d free requests "
                               "(an unknown key was accepted)" % self.free_requests)

        # Signed and checked from here on.
        iam = self.client("iam")
        iam.create_user(UserName=DENIED_USER)
        key = iam.create_access_key(UserName=DENIED_USER)["AccessKey"]
        iam.put_user_policy(UserName=DENIED_USER, PolicyName="deny-by-path",
                            PolicyDocument=json.dumps(DENIED_POLICY))
        self.denied = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        register_secret("denied secret access key", self.denied.secret_access_key)

    def _verify_auth(self):
        _, botocore = import_boto3()

        def error_text(call):
            try:
                call()
            except botocore.exceptions.ClientError as e:
                status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                return "%s %s" % (e.response.get("Error", {}), status)
            return None

        wrong_key = Credentials(self.admin.access_key_id, "wrong" + self.admin.secret_access_key)
        wrong = self.client("ssm", wrong_key, cache=False, max_attempts=1)
        err = error_text(lambda: wrong.get_parameters_by_path(Path="/"))
        if err is None or "SignatureDoesNotMatch" not in err:
            raise HarnessError("a wrong secret key was not rejected with SignatureDoesNotMatch: %r" % err)
        denied = self.client("ssm", self.denied, max_attempts=1)
        err = error_text(lambda: denied.get_parameters_by_path(Path=DENIED_PATH, Recursive=True))
        if err is None or "AccessDenied" not in err:
            raise HarnessError("the denied user was not denied GetParametersByPath on %s: %r"
                               % (DENIED_PATH, err))
        err = error_text(lambda: denied.get_parameters(Names=[DENIED_PATH + "/probe"]))
        if err is not None:
            raise HarnessError("the denied user's other SSM calls fail too: %r" % err)
        err = error_text(lambda: self.client("ssm").get_parameters_by_path(Path=DENIED_PATH))
        if err is not None:
            raise HarnessError("the admin cannot call GetParametersByPath: %r" % err)

    # -- clients and seeding ---------------------------------------------

    def client(self, service, creds=None, region=REGION, cache=True, max_attempts=None):
        boto3, botocore = import_boto3()
        creds = creds or self.admin
        key = (service, creds.access_key_id, creds.secret_access_key, region, max_attempts)
        if cache and key in self._clients:
            return self._clients[key]
        config = botocore.config.Config(
            retries={"total_max_attempts": max_attempts or 3, "mode": "standard"},
            max_pool_connections=16, proxies={})
        core = botocore.session.Session()
        for name, value in (("profile", "default"), ("config_file", self._boto_config),
                            ("credentials_file", self._boto_config)):
            core.set_config_variable(name, value)
        session = boto3.session.Session(botocore_session=core)
        c = session.client(service, endpoint_url=self.endpoint, region_name=region,
                           aws_access_key_id=creds.access_key_id,
                           aws_secret_access_key=creds.secret_access_key, config=config)
        if cache:
            self._clients[key] = c
        return c

    def put_parameter(self, name, value, type="String", key_id=None, region=REGION):
        kwargs = {"Name": name, "Value": value, "Type": type, "Overwrite": True}
        if key_id is not None:
            kwargs["KeyId"] = key_id
        self.client("ssm", region=region).put_parameter(**kwargs)

    def put_parameters(self, params, region=REGION):
        """params: iterable of (name, value) or (name, value, type). Puts them concurrently."""
        items = [p if len(p) == 3 else (p[0], p[1], "String") for p in params]
        client = self.client("ssm", region=region)  # create once, before the threads
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda p: client.put_parameter(
                Name=p[0], Value=p[1], Type=p[2], Overwrite=True), items))

    # -- environments for envssm -------------------------------------------

    def envssm_env(self, home, creds="admin", region=REGION, extra=None):
        """An environment built from scratch: nothing inherited from the caller.

        Endpoints pinned to this server, IMDS off, shared files inside `home`.
        creds: "admin", "denied", a Credentials, or None for no key variables.
        extra: more variables; a value of None removes a variable."""
        aws_dir = os.path.join(home, ".aws")
        os.makedirs(aws_dir, exist_ok=True)
        env = {
            "PATH": SAFE_PATH,
            "HOME": home,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": os.path.join(aws_dir, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(aws_dir, "credentials"),
        }
        if creds == "admin":
            creds = self.admin
        elif creds == "denied":
            creds = self.denied
        if creds is not None:
            env["AWS_ACCESS_KEY_ID"] = creds.access_key_id
            env["AWS_SECRET_ACCESS_KEY"] = creds.secret_access_key
        if region is not None:
            env["AWS_REGION"] = region
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        check_env_pinned(env)
        return env


LOOPBACK_URLS = ("http://127.0.0.1:", "https://127.0.0.1:")
UNPINNED = ("AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def check_env_pinned(env, forbid=()):
    """Raise HarnessError unless env keeps envssm on loopback with IMDS off:
    every AWS_ENDPOINT_URL* on 127.0.0.1, and none of the variables in forbid
    (UNPINNED for suites that test no proxy, container or profile)."""
    if env.get("AWS_EC2_METADATA_DISABLED") != "true":
        raise HarnessError("AWS_EC2_METADATA_DISABLED=true missing")
    if not env.get("AWS_ENDPOINT_URL", "").startswith(LOOPBACK_URLS):
        raise HarnessError("AWS_ENDPOINT_URL is not pinned to loopback")
    for k, v in env.items():
        if k.startswith("AWS_ENDPOINT_URL") and not v.startswith(LOOPBACK_URLS):
            raise HarnessError("%s is not a loopback URL" % k)
    for k in forbid:
        if k in env:
            raise HarnessError("%s must not reach envssm in these tests" % k)


class _PortTaken(Exception):
    pass


@atexit.register
def _stop_all():
    for server in list(_running):
        server.stop()


def stop_on_sigterm():
    """Make SIGTERM raise SystemExit, so context managers and atexit stop the servers."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
