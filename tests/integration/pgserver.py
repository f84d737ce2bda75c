"""A throwaway PostgreSQL server on loopback, for tests whose consumer is psql.

    with PgServer() as pg:                    # raises PgUnavailable when not installed
        pg.create_role("app", password)       # LOGIN role; SQL goes over stdin
        pg.port, pg.psql                      # 127.0.0.1:port, the psql binary

What start() does:

1. Finds initdb, postgres, pg_isready and psql (PG_BIN, else Debian's
   /usr/lib/postgresql/<newest>/bin, else PATH); PgUnavailable when one is missing.
2. initdb's a cluster in a fresh temp directory: local (unix socket) connections
   trusted, host connections only with a SCRAM password (scram-sha-256), so a
   client that connects over TCP without the right password is refused.
3. Starts `postgres` listening on 127.0.0.1 only, on a free port, with its unix
   socket in the temp directory, and waits until pg_isready answers.

PostgreSQL refuses to run as root: as root, the temp directory is given to the
`postgres` (else `nobody`) account and the server runs as that user (setuid in
the child, so the PID we hold is the server's own). It is stopped by that PID
(SIGINT, a fast shutdown; SIGKILL if it lingers), and the directory removed.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

START_TIMEOUT_S = 60


class PgUnavailable(Exception):
    """PostgreSQL's server binaries are not installed."""


def _bin_dir():
    if os.environ.get("PG_BIN"):
        return os.environ["PG_BIN"]
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    return dirs[-1] if dirs else None


def find_tool(name):
    d = _bin_dir()
    if d and os.access(os.path.join(d, name), os.X_OK):
        return os.path.join(d, name)
    return shutil.which(name)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        self.tools = {}
        for name in ("initdb", "postgres", "pg_isready", "psql"):
            path = find_tool(name)
            if path is None:
                raise PgUnavailable("PostgreSQL's %s is not installed (apt-get install postgresql)"
                                    % name)
            self.tools[name] = path
        self.psql = self.tools["psql"]
        self.proc = None
        self.dir = None
        self.port = None
        self.user = None
        self.log_path = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _run_as(self):
        """Popen arguments that run a child as the server's user."""
        if os.geteuid() != 0:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def _env(self):
        return {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": self.dir}

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="envssm-pg-")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            else:
                raise PgUnavailable("running as root and no 'postgres' or 'nobody' account")
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        os.chmod(self.dir, 0o700)
        data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "server.log")
        subprocess.run([self.tools["initdb"], "-D", data, "-U", "postgres", "-A", "trust",
                        "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"],
                       env=self._env(), cwd=self.dir, stdin=subprocess.DEVNULL,
                       capture_output=True, check=True, timeout=120, **self._run_as())
        self.port = _free_port()
        with open(self.log_path, "wb") as log:
            if self.user is not None:
                os.chown(self.log_path, self.user.pw_uid, self.user.pw_gid)
            self.proc = subprocess.Popen(
                [self.tools["postgres"], "-D", data, "-h", "127.0.0.1", "-p", str(self.port),
                 "-k", self.dir, "-c", "password_encryption=scram-sha-256", "-c", "fsync=off"],
                env=self._env(), cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, **self._run_as())
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("postgres exited with %s:\n%s" % (self.proc.returncode,
                                                                     self.log()))
            r = subprocess.run([self.tools["pg_isready"], "-q", "-h", self.dir, "-p",
                                str(self.port)], env=self._env(), stdin=subprocess.DEVNULL,
                               capture_output=True)
            if r.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("postgres did not come up:\n" + self.log())
            time.sleep(0.1)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def superuser_sql(self, sql):
        """Run SQL (given on stdin, never in argv) as the superuser over the socket."""
        return subprocess.run([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir,
                               "-p", str(self.port), "-U", "postgres", "-d", "postgres"],
                              input=sql.encode(), env=self._env(), capture_output=True,
                              check=True, timeout=60)

    def create_role(self, name, password, database=None):
        quoted = "'" + password.replace("'", "''") + "'"
        self.superuser_sql('CREATE ROLE "%s" LOGIN PASSWORD %s;\n' % (name, quoted))
        if database:
            self.superuser_sql('CREATE DATABASE "%s" OWNER "%s";\n' % (database, name))

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
