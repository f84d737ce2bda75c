"""--secret-files with real programs: nginx and PostgreSQL take their TLS
certificate and key from the files envssm writes, and a rotation in Parameter
Store reaches them through `--watch 2s --on-change HUP` without a restart.

Against moto_server (signature checking on), with two self-signed certificates
made by the openssl CLI. For each server it proves, from the client side, that:

- the certificate put in Parameter Store (SecureString) is the one presented;
- after new versions are put, the new certificate is presented by the same
  master process: envssm rewrote the files and sent SIGHUP, the server
  reloaded, nothing was restarted; nginx answered every request made during
  the rotation;
- the environment the running server holds names the files (CERT_FILE,
  KEY_FILE) and holds no secret value (for nginx, a String parameter stays a
  variable);
- envssm's log (-vvv) and the server's own logs hold no secret value;
- once envssm is stopped with SIGTERM, the server has exited and the files and
  the directory are gone.

PostgreSQL refuses to run as root, so envssm runs as the `postgres` account
(else `nobody`) there, and the files belong to it. A psql client then follows
the NAME_FILE convention: its password file is a secret file of a second,
supervised envssm, and it verifies the rotated certificate.

envssm finds its key in a shared credentials file, so the programs'
environments hold no secret of any kind. Secret directories are made under
/dev/shm with unique names and removed afterwards. nginx writes its process
title over the memory /proc/PID/environ shows, after moving its environment to
the heap: for nginx the environment is read from /proc/PID/mem.

The tests skip (with the reason) when nginx, PostgreSQL's server binaries or
the openssl CLI are missing, or when not run as root.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import motoserver  # noqa: E402
import pgserver  # noqa: E402
from faultlib import noise_names  # noqa: E402
from motoserver import find_leaks, register_secret, secret_token  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
SERVER = None
TMP = None

START_TIMEOUT_S = 30    # envssm fetches, writes the files and the server answers
ROTATE_TIMEOUT_S = 30   # interval (2 s with jitter) + settle + reload, with room
STOP_TIMEOUT_S = 30
SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL's SSLRequest


def find_nginx():
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


NGINX = find_nginx()
OPENSSL = shutil.which("openssl")
PG_TOOLS = {name: pgserver.find_tool(name) for name in ("initdb", "postgres", "psql")}
IS_ROOT = os.geteuid() == 0


def setUpModule():
    global SERVER, TMP
    if not (os.path.isfile(ENVSSM) and os.access(ENVSSM, os.X_OK)):
        raise RuntimeError("envssm binary not found or not executable: %s (run make)" % ENVSSM)
    TMP = tempfile.mkdtemp(prefix="envssm-sfprog-")
    try:
        SERVER = motoserver.MotoServer().start()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


# -- certificates ------------------------------------------------------------

class Cert:
    """A self-signed certificate and its key, made by the openssl CLI."""

    def __init__(self, directory, name, cn, serial):
        self.cert_path = os.path.join(directory, name + ".crt")
        key_path = os.path.join(directory, name + ".key")
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=" + cn, "-set_serial", str(serial),
                        "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key_path, "-out", self.cert_path],
                       stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=60)
        with open(self.cert_path) as f:
            self.cert = f.read()
        with open(key_path) as f:
            self.key = f.read()
        os.unlink(key_path)  # the key lives in Parameter Store and the secret files only
        self.der = ssl.PEM_cert_to_DER_cert(self.cert)
        register_secret(name + " certificate", self.cert)
        register_secret(name + " private key", self.key)
        # any line of the key's body is enough to give it away
        for i, line in enumerate(self.key.splitlines()):
            if not line.startswith("-----"):
                register_secret("%s private key line %d" % (name, i), line)


def two_certs(directory, label):
    return (Cert(directory, label + "-v1", label + " v1", 1001),
            Cert(directory, label + "-v2", label + " v2", 2002))


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # self-signed: the test compares the certificate itself
    return ctx


def recv_all(sock):
    chunks = []
    while True:
        b = sock.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def https_get(port, timeout=5):
    """One HTTPS request to 127.0.0.1:port; the certificate presented (DER).
    Raises unless nginx answered 200 with the expected body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with tls_context().wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
            tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            answer = recv_all(tls)
    if not (answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nserved\n")):
        raise ConnectionError("unexpected answer %r" % answer[:200])
    return der


def postgres_cert(port, timeout=5):
    """The certificate PostgreSQL presents on 127.0.0.1:port (DER), after an
    SSLRequest, as a client asking for TLS sees it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        raw.sendall(SSL_REQUEST)
        answer = raw.recv(1)
        if answer != b"S":
            raise ConnectionError("SSLRequest answered %r, not 'S'" % answer)
        with tls_context().wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
            tls.unwrap()  # close_notify both ways: the server sees a clean end
            return der


class Client(threading.Thread):
    """Asks for the certificate in a loop until halted; records every answer
    ("v1", "v2" or "unknown") and every failure."""

    def __init__(self, fetch, port, certs):
        super().__init__(daemon=True)
        self.fetch, self.port = fetch, port
        self.names = {c.der: "v%d" % (i + 1) for i, c in enumerate(certs)}
        self.results, self.failures = [], []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                self.results.append(self.names.get(self.fetch(self.port), "unknown"))
            except (OSError, ssl.SSLError, ConnectionError) as e:
                self.failures.append(repr(e))
            self.halt.wait(0.02)

    def stop(self):
        self.halt.set()
        self.join(timeout=15)


def wait_for(predicate, timeout, what, alive=None):
    """Poll predicate until it is true; fail with `what` after timeout, or as
    soon as alive() says the process it depends on has gone."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if alive is not None and not alive():
            raise AssertionError("%s: the process exited first" % what)
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %d s" % (what, timeout))
        time.sleep(0.05)


def presents(fetch, port, der):
    try:
        return fetch(port) == der
    except (OSError, ssl.SSLError, ConnectionError):
        return False


def refuses(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


# -- processes -----------------------------------------------------------------

def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def running(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def exe_is(pid, path):
    try:
        return os.path.realpath("/proc/%d/exe" % pid) == os.path.realpath(path)
    except OSError:
        return False


def write_credentials(home, owner=None):
    """The admin key in home/.aws/credentials (0600), where envssm_env points."""
    aws = os.path.join(home, ".aws")
    os.makedirs(aws, exist_ok=True)
    path = os.path.join(aws, "credentials")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                % (SERVER.admin.access_key_id, SERVER.admin.secret_access_key))
    if owner is not None:
        for p in (home, aws, path):
            os.chown(p, owner.pw_uid, owner.pw_gid)


class Envssm:
    """envssm -vvv in the background, its stdout and stderr in a log file;
    stopped by PID."""

    def __init__(self, args, env, log_path, cwd, user=None):
        motoserver.check_env_pinned(env)
        self.log_path = log_path
        self.log = open(log_path, "w+b")
        run_as = {}
        if user is not None:
            run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        self.p = subprocess.Popen([ENVSSM, "-vvv"] + args, env=env, cwd=cwd,
                                  stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                  **run_as)
        self.rc = None

    @property
    def pid(self):
        return self.p.pid

    def alive(self):
        return self.p.poll() is None

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def program(self):
        """The PID of the one program envssm runs."""
        kids = children(self.pid)
        if len(kids) != 1:
            raise AssertionError("envssm has children %r, not one program\n%s"
                                 % (kids, self.text()[-3000:]))
        return kids[0]

    def stop(self):
        """SIGTERM, then wait; SIGKILL after STOP_TIMEOUT_S. Returns the status."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            self.rc = self.p.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.rc = self.p.wait(timeout=10)
        self.log.close()
        return self.rc


def stop_leftover(pid, binary, sig):
    """Stop a server envssm left behind (only if envssm failed to stop it)."""
    if pid is None or not running(pid) or not exe_is(pid, binary):
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + 20
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if running(pid):
        os.kill(pid, signal.SIGKILL)


# -- what the running program holds -------------------------------------------

ENTRY = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*=[^\0]*")


def _blocks_in(data, anchor):
    """Runs of NUL-terminated NAME=VALUE strings in data that contain anchor."""
    blocks = []
    for m in re.finditer(re.escape(b"\0" + anchor + b"\0"), data):
        start = m.start() + 1
        entries = [anchor]
        pos = start
        while pos >= 2 and data[pos - 1] == 0:
            prev = data.rfind(b"\0", 0, pos - 1) + 1
            cand = data[prev:pos - 1]
            if not ENTRY.fullmatch(cand):
                break
            entries.insert(0, cand)
            pos = prev
        pos = start + len(anchor) + 1
        while True:
            end = data.find(b"\0", pos)
            if end < 0 or not ENTRY.fullmatch(data[pos:end]):
                break
            entries.append(data[pos:end])
            pos = end + 1
        blocks.append(entries)
    return blocks


def program_environ(pid, anchor):
    """The environment a running program holds, read from outside.

    Returns (where, raw /proc/PID/environ, [entries, ...]). From
    /proc/PID/environ when it still holds the anchor entry; else (a program
    that wrote its process title over that memory, as nginx does) from the
    copy in its heap, found through the anchor, via /proc/PID/maps and
    /proc/PID/mem."""
    with open("/proc/%d/environ" % pid, "rb") as f:
        raw = f.read()
    entries = [e for e in raw.split(b"\0") if e]
    if anchor in entries:
        return "/proc/%d/environ" % pid, raw, [entries]
    blocks = []
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            if len(fields) < 6 or fields[5] != "[heap]":
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            mem.seek(lo)
            blocks += _blocks_in(mem.read(hi - lo), anchor)
    return "the heap of %d (/proc/%d/mem)" % (pid, pid), raw, blocks


class ProgramCase(unittest.TestCase):
    maxDiff = None

    def assert_environment(self, pid, home, given, files, variables):
        """The running program's environment: exactly what envssm was given,
        plus NAME_FILE for each secret file and the String parameters as
        variables; no secret value and no PEM anywhere in it."""
        where, raw, blocks = program_environ(pid, ("HOME=" + home).encode())
        self.assertEqual(find_leaks(raw), [], "/proc/%d/environ leaks" % pid)
        self.assertTrue(blocks, "no environment found in " + where)
        want = set(given) | {name + "_FILE" for name in files} | set(variables)
        for entries in blocks:
            env = {}
            for e in entries:
                k, _, v = e.partition(b"=")
                env[k.decode()] = v.decode("utf-8", "surrogateescape")
            self.assertEqual(set(env) - noise_names(), want, where)
            for name, path in files.items():
                self.assertEqual(env[name + "_FILE"], path, where)
                self.assertNotIn(name, env, where)
            for name, value in variables.items():
                self.assertEqual(env[name], value, where)
            block = b"\0".join(entries)
            self.assertEqual(find_leaks(block), [], "the environment in %s leaks" % where)
            self.assertNotIn(b"-----BEGIN", block, where)

    def assert_files(self, directory, owner_uid, expected):
        """DIR 0700 and each file 0400, owned by envssm's user, holding the value;
        nothing else in DIR (no temporary file left)."""
        st = os.lstat(directory)
        self.assertEqual((st.st_uid, st.st_mode & 0o7777), (owner_uid, 0o700), directory)
        self.assertEqual(sorted(os.listdir(directory)), sorted(expected))
        for name, value in expected.items():
            path = os.path.join(directory, name)
            st = os.lstat(path)
            self.assertEqual((st.st_uid, oct(st.st_mode)), (owner_uid, oct(0o100400)), path)
            with open(path) as f:
                self.assertEqual(f.read(), value, path)

    def assert_no_leaks(self, what, text):
        self.assertEqual(find_leaks(text), [], "%s leaks a secret" % what)


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def shm_dir(label):
    """A name for a secret directory under /dev/shm that does not exist yet."""
    return "/dev/shm/envssm-%s-%s" % (label, uuid.uuid4().hex[:12])


# -- nginx ------------------------------------------------------------------

NGINX_CONF = """\
user root;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;
events {{
    worker_connections 256;
}}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    default_type text/plain;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {secrets}/CERT;
        ssl_certificate_key {secrets}/KEY;
        location / {{
            return 200 "served\\n";
        }}
    }}
}}
"""


@unittest.skipUnless(IS_ROOT, "needs root (nginx's master reads the root-owned files)")
@unittest.skipUnless(NGINX, "nginx is not installed (apt-get install nginx-light)")
@unittest.skipUnless(OPENSSL, "the openssl CLI is not installed (apt-get install openssl)")
class Nginx(ProgramCase):
    """nginx serves the certificate and key from secret files and reloads
    them on the SIGHUP envssm sends when they change."""

    def test_nginx_reloads_rotated_certificate(self):
        tmp = tempfile.mkdtemp(dir=TMP, prefix="nginx-")
        home = os.path.join(tmp, "home")
        write_credentials(home)
        v1, v2 = two_certs(tmp, "nginx")
        secrets = shm_dir("nginx")
        prefix = os.path.join(tmp, "nginx")
        os.makedirs(prefix)
        port = motoserver.free_loopback_port()
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=prefix, port=port, secrets=secrets))
        path = "/sfnginx/tls"
        SERVER.put_parameters([(path + "/cert", v1.cert, "SecureString"),
                               (path + "/key", v1.key, "SecureString"),
                               (path + "/server-name", "envssm-test", "String")])
        env = SERVER.envssm_env(home, creds=None)
        e = Envssm(["--secret-files", secrets, "--watch", "2s", "--on-change", "HUP", path,
                    "--", NGINX, "-p", prefix, "-e", os.path.join(prefix, "error.log"),
                    "-c", conf, "-g", "daemon off;"],
                   env, os.path.join(tmp, "envssm.log"), cwd=tmp)
        master = client = None
        try:
            wait_for(lambda: presents(https_get, port, v1.der), START_TIMEOUT_S,
                     "nginx serving certificate v1", e.alive)
            master = e.program()
            self.assertTrue(exe_is(master, NGINX))
            self.assertEqual(read_text(os.path.join(prefix, "nginx.pid")).strip(), str(master))
            workers = set(children(master))
            self.assertEqual(len(workers), 1, workers)
            self.assert_files(secrets, 0, {"CERT": v1.cert, "KEY": v1.key})
            self.assert_environment(master, home, env,
                                    {"CERT": secrets + "/CERT", "KEY": secrets + "/KEY"},
                                    {"SERVER_NAME": "envssm-test"})

            client = Client(https_get, port, (v1, v2))
            client.start()
            wait_for(lambda: len(client.results) >= 5, 10, "the client's first answers")
            SERVER.put_parameters([(path + "/cert", v2.cert, "SecureString"),
                                   (path + "/key", v2.key, "SecureString")])
            wait_for(lambda: "v2" in client.results, ROTATE_TIMEOUT_S,
                     "nginx serving certificate v2", e.alive)
            # the old worker has finished and every new connection gets v2
            wait_for(lambda: not (workers & set(children(master))) and
                     client.results[-10:] == ["v2"] * 10, 15,
                     "only certificate v2 served by a new worker", e.alive)
            client.stop()
            self.assertEqual(client.failures, [], "requests failed during the rotation")
            self.assertNotIn("unknown", client.results)
            self.assertGreaterEqual(len(client.results), 30, "too few requests to tell")
            self.assertEqual(client.results[0], "v1")

            self.assertEqual(e.program(), master, "nginx was restarted, not signalled")
            self.assertEqual(read_text(os.path.join(prefix, "nginx.pid")).strip(), str(master))
            self.assert_files(secrets, 0, {"CERT": v2.cert, "KEY": v2.key})
            self.assert_environment(master, home, env,
                                    {"CERT": secrets + "/CERT", "KEY": secrets + "/KEY"},
                                    {"SERVER_NAME": "envssm-test"})
            error_log = read_text(os.path.join(prefix, "error.log"))
            self.assertIn("signal 1 (SIGHUP) received", error_log)
            self.assertIn("reconfiguring", error_log)

            rc = e.stop()
            self.assertEqual(rc, 0, e.text()[-3000:])
            self.assertFalse(os.path.exists(secrets), "the secret files outlived envssm")
            self.assertFalse(running(master), "nginx's master still runs")
            for pid in workers | set(children(master)):
                self.assertFalse(running(pid), "an nginx worker still runs")
            self.assertTrue(refuses(port), "something still listens on the port")
        finally:
            if client is not None:
                client.stop()
            if e.rc is None:
                e.stop()
            stop_leftover(master, NGINX, signal.SIGTERM)
            shutil.rmtree(secrets, ignore_errors=True)
        log = e.text()
        self.assertIn(path + "/cert (version 1 -> 2)", log)
        self.assertIn(path + "/key (version 1 -> 2)", log)
        self.assertIn("files rewritten, signal 1 to '%s'" % NGINX, log)
        self.assertNotIn("restarting", log)
        self.assertNotIn("restarted", log)
        self.assert_no_leaks("envssm's log", log)
        for name in ("error.log", "access.log"):
            self.assert_no_leaks("nginx's " + name, read_text(os.path.join(prefix, name)))
        self.assertIn('"GET / HTTP/1.1" 200', read_text(os.path.join(prefix, "access.log")))


# -- PostgreSQL ---------------------------------------------------------------

def pg_account():
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def pg_missing():
    missing = [name for name, path in PG_TOOLS.items() if path is None]
    if missing:
        return "PostgreSQL's %s not installed (apt-get install postgresql)" % ", ".join(missing)
    if IS_ROOT and pg_account() is None:
        return "no 'postgres' or 'nobody' account to run PostgreSQL as"
    return None


@unittest.skipUnless(IS_ROOT, "needs root (to run envssm and PostgreSQL as the postgres account)")
@unittest.skipIf(pg_missing(), pg_missing())
@unittest.skipUnless(OPENSSL, "the openssl CLI is not installed (apt-get install openssl)")
class Postgres(ProgramCase):
    """PostgreSQL (ssl=on) reads ssl_cert_file and ssl_key_file from secret
    files and reloads them on the SIGHUP envssm sends when they change."""

    def setUp(self):
        self.user = pg_account()
        # The account must reach everything the server uses: not under TMP (0700, root).
        self.base = tempfile.mkdtemp(prefix="envssm-sfpg-")
        self.addCleanup(shutil.rmtree, self.base, True)
        os.chown(self.base, self.user.pw_uid, self.user.pw_gid)
        probe = subprocess.run([ENVSSM, "--version"], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=120, cwd=self.base,
                               user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        if probe.returncode != 0:
            raise AssertionError("envssm cannot run as %s: %s"
                                 % (self.user.pw_name, probe.stderr.decode("utf-8", "replace")))

    def run_as_pg(self):
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def superuser_sql(self, sockdir, port, sql):
        """SQL on stdin (never in argv), over the unix socket, as the superuser."""
        subprocess.run([PG_TOOLS["psql"], "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", sockdir,
                        "-p", str(port), "-U", "postgres", "-d", "postgres"],
                       input=sql.encode(), env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
                       capture_output=True, check=True, timeout=60)

    def test_postgres_reloads_rotated_certificate(self):
        base = self.base
        certs = os.path.join(base, "certs")
        os.makedirs(certs)
        v1, v2 = two_certs(certs, "postgres")
        data = os.path.join(base, "data")
        subprocess.run([PG_TOOLS["initdb"], "-D", data, "-U", "postgres", "-A", "trust",
                        "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"],
                       env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": base}, cwd=base,
                       stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=120,
                       **self.run_as_pg())
        home = os.path.join(base, "home")
        write_credentials(home, owner=self.user)
        logs = os.path.join(base, "log")
        os.makedirs(logs)
        os.chown(logs, self.user.pw_uid, self.user.pw_gid)
        pg_log = os.path.join(logs, "postgresql.log")
        secrets = shm_dir("postgres")
        port = motoserver.free_loopback_port()
        path = "/sfpg/tls"
        SERVER.put_parameters([(path + "/cert", v1.cert, "SecureString"),
                               (path + "/key", v1.key, "SecureString")])
        env = SERVER.envssm_env(home, creds=None, extra={"LC_ALL": "C"})
        e = Envssm(["--secret-files", secrets, "--watch", "2s", "--on-change", "HUP", path,
                    "--", PG_TOOLS["postgres"], "-D", data, "-h", "127.0.0.1", "-p", str(port),
                    "-k", base, "-c", "fsync=off", "-c", "ssl=on",
                    "-c", "ssl_cert_file=%s/CERT" % secrets,
                    "-c", "ssl_key_file=%s/KEY" % secrets,
                    "-c", "logging_collector=on", "-c", "log_directory=" + logs,
                    "-c", "log_filename=postgresql.log"],
                   env, os.path.join(base, "envssm.log"), cwd=base, user=self.user)
        postmaster = client = None
        try:
            wait_for(lambda: presents(postgres_cert, port, v1.der), START_TIMEOUT_S,
                     "PostgreSQL presenting certificate v1", e.alive)
            postmaster = e.program()
            self.assertTrue(exe_is(postmaster, PG_TOOLS["postgres"]))
            self.assertEqual(read_text(os.path.join(data, "postmaster.pid")).split("\n")[0],
                             str(postmaster))
            self.assert_files(secrets, self.user.pw_uid, {"CERT": v1.cert, "KEY": v1.key})
            self.assert_environment(postmaster, home, env,
                                    {"CERT": secrets + "/CERT", "KEY": secrets + "/KEY"}, {})

            client = Client(postgres_cert, port, (v1, v2))
            client.start()
            wait_for(lambda: len(client.results) >= 5, 10, "the client's first answers")
            SERVER.put_parameters([(path + "/cert", v2.cert, "SecureString"),
                                   (path + "/key", v2.key, "SecureString")])
            wait_for(lambda: client.results[-5:] == ["v2"] * 5, ROTATE_TIMEOUT_S,
                     "PostgreSQL presenting certificate v2", e.alive)
            client.stop()
            self.assertEqual(client.failures, [], "TLS handshakes failed during the rotation")
            self.assertNotIn("unknown", client.results)
            self.assertEqual(client.results[0], "v1")
            self.assertEqual(e.program(), postmaster, "PostgreSQL was restarted, not signalled")
            self.assertEqual(read_text(os.path.join(data, "postmaster.pid")).split("\n")[0],
                             str(postmaster))
            self.assert_files(secrets, self.user.pw_uid, {"CERT": v2.cert, "KEY": v2.key})
            self.assert_environment(postmaster, home, env,
                                    {"CERT": secrets + "/CERT", "KEY": secrets + "/KEY"}, {})
            wait_for(lambda: "received SIGHUP, reloading configuration files" in
                     read_text(pg_log), 10, "SIGHUP in PostgreSQL's log")

            psql_out = self.psql_with_password_file(port, base, v2)

            rc = e.stop()
            self.assertEqual(rc, 0, e.text()[-3000:])
            self.assertFalse(os.path.exists(secrets), "the secret files outlived envssm")
            self.assertFalse(running(postmaster), "the postmaster still runs")
            self.assertTrue(refuses(port), "something still listens on the port")
        finally:
            if client is not None:
                client.stop()
            if e.rc is None:
                e.stop()
            stop_leftover(postmaster, PG_TOOLS["postgres"], signal.SIGINT)
            shutil.rmtree(secrets, ignore_errors=True)
        log = e.text()
        self.assertIn(path + "/cert (version 1 -> 2)", log)
        self.assertIn(path + "/key (version 1 -> 2)", log)
        self.assertIn("files rewritten, signal 1 to '%s'" % PG_TOOLS["postgres"], log)
        self.assertNotIn("restarting", log)
        self.assertNotIn("restarted", log)
        self.assert_no_leaks("envssm's log", log)
        self.assert_no_leaks("PostgreSQL's log", read_text(pg_log))
        self.assert_no_leaks("psql's output", psql_out)

    def psql_with_password_file(self, port, base, server_cert):
        """psql, under envssm --supervise --secret-files, reads its password
        from PGPASSFILE=$PGPASS_FILE (the variable PGPASS itself is not set),
        and with sslmode=verify-ca trusts only server_cert. Returns its output."""
        role = "app_" + uuid.uuid4().hex[:8]
        password = secret_token("postgres role password")
        self.superuser_sql(base, port, "CREATE ROLE %s LOGIN PASSWORD '%s';\n" % (role, password))
        SERVER.put_parameters([("/sfpg/client/pgpass", "127.0.0.1:%d:postgres:%s:%s\n"
                                % (port, role, password), "SecureString")])
        home = os.path.join(base, "client-home")
        write_credentials(home)
        secrets = shm_dir("psql")
        conninfo = ("host=127.0.0.1 port=%d dbname=postgres user=%s sslmode=verify-ca "
                    "sslrootcert=%s" % (port, role, server_cert.cert_path))
        sql = ("SELECT current_user, s.ssl FROM pg_stat_ssl s "
               "WHERE s.pid = pg_backend_pid()")
        script = ('[ -z "${PGPASS+set}" ] || exit 99; '
                  '[ -r "$PGPASS_FILE" ] || exit 98; '
                  'PGPASSFILE="$PGPASS_FILE" exec "$0" "$@"')
        try:
            p = subprocess.run([ENVSSM, "-vvv", "--supervise", "--secret-files", secrets,
                                "/sfpg/client", "--", "/bin/sh", "-c", script, PG_TOOLS["psql"],
                                "-X", "-w", "-A", "-t", "-c", sql, conninfo],
                               env=SERVER.envssm_env(home, creds=None, extra={"LC_ALL": "C"}),
                               cwd=base, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=120)
            out = (p.stdout + p.stderr).decode("utf-8", "replace")
            self.assertEqual(p.returncode, 0, out[-3000:])
            self.assertEqual(p.stdout.decode().strip(), "%s|t" % role, out[-3000:])
            self.assertIn("wrote 1 secret files to '%s'" % secrets, out)
            self.assertFalse(os.path.exists(secrets), "--supervise left the secret files")
        finally:
            shutil.rmtree(secrets, ignore_errors=True)
        return out


if __name__ == "__main__":
    unittest.main(verbosity=2)
