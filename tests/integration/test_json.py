"""Structured values end to end: JSON fields of Secrets Manager secrets and of
parameters, selected in references (`ssm:///...#field`) and expanded from PATHs
(`--expand-json`), against moto_server with signature checking on, and consumed
by a real PostgreSQL server through psql.

The secret is shaped like one RDS manages for a database: named `rds!db-<uuid>`,
holding {"username", "password", "host", "port", "engine", "dbname"}. moto's SSM
answers GetParameters for /aws/reference/secretsmanager/<id>[:label] from its own
Secrets Manager backend (moto/ssm/models.py, _get_secretsmanager_parameter), with
the version id and the staging labels as the labels, as AWS does.

The PostgreSQL tests skip (with the reason) when the server binaries are missing.
Every envssm run's stderr, and its stdout unless it is print mode's, the psql
output and the server's log are checked for the seeded secret values.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoserver  # noqa: E402
import pgserver  # noqa: E402
from motoserver import find_leaks, secret_token  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
PYTHON = os.path.realpath(sys.executable)
RUN_TIMEOUT_S = 60
DUMP_ENV = ("import sys\n"
            "d = open('/proc/self/environ', 'rb').read()\n"
            "open(sys.argv[1], 'wb').write(d)\n")
FORBIDDEN = [b"AWS4-HMAC-SHA256", b"Signature=", b"Credential="]

SM = "/aws/reference/secretsmanager/"
SECRET_ID = "rds!db-%s" % uuid.uuid4()
ROLE = "app_" + uuid.uuid4().hex[:8]
DBNAME = "appdb"
PASSWORD = None       # the secret's current password (AWSCURRENT)
OLD_PASSWORD = None   # its previous one (AWSPREVIOUS)
PG_PORT = None

SERVER = None
PG = None
PG_SKIP = None        # why the PostgreSQL tests skip, or None
PG_LOG = ""           # the server's log, kept at teardown for the leak check
TMP = None


def rds_secret(password, port):
    return {"username": ROLE, "password": password, "host": "127.0.0.1", "port": port,
            "engine": "postgres", "dbname": DBNAME}


def setUpModule():
    global SERVER, PG, PG_SKIP, PASSWORD, OLD_PASSWORD, PG_PORT, TMP
    if not (os.path.isfile(ENVSSM) and os.access(ENVSSM, os.X_OK)):
        raise RuntimeError("envssm binary not found or not executable: %s (run make)" % ENVSSM)
    TMP = tempfile.mkdtemp(prefix="envssm-json-")
    PASSWORD = secret_token("rds password")
    OLD_PASSWORD = secret_token("rds previous password")
    try:
        try:
            PG = pgserver.PgServer().start()
            PG.create_role(ROLE, PASSWORD, DBNAME)
            PG_PORT = PG.port
        except pgserver.PgUnavailable as e:
            PG, PG_SKIP, PG_PORT = None, str(e), 5432
        SERVER = motoserver.MotoServer().start()
        seed()
    except BaseException:
        tearDownModule()
        raise


def seed():
    sm = SERVER.client("secretsmanager")
    sm.create_secret(Name=SECRET_ID, SecretString=json.dumps(rds_secret(OLD_PASSWORD, PG_PORT)))
    # rotated: the previous value keeps the AWSPREVIOUS label
    sm.put_secret_value(SecretId=SECRET_ID,
                        SecretString=json.dumps(rds_secret(PASSWORD, PG_PORT)))
    ssm = SERVER.client("ssm")
    # versions and labels of an ordinary parameter holding JSON
    for region in ("eu-west-1", "eu-central-1"):
        ssm.put_parameter(Name="/json/app/config", Type="String", Overwrite=True,
                          Value=json.dumps({"region": region, "ratio": 1.5}).replace(
                              "1.5", "1.50"))
    ssm.label_parameter_version(Name="/json/app/config", ParameterVersion=1, Labels=["live"])
    SERVER.put_parameters([
        # one PATH for --expand-json: the same RDS-shaped object, and plain values
        ("/json/pg/db", json.dumps(rds_secret(PASSWORD, PG_PORT)), "SecureString"),
        ("/json/pg/debug", "false", "String"),
        ("/json/pg/list", "[1, 2]", "String"),
        # bad fields and hostile objects, each under a PATH of its own
        ("/json/bad/nested/db", json.dumps({"user": "u", "options": {"ssl": True}}), "String"),
        ("/json/bad/null/db", json.dumps({"user": "u", "proxy": None}), "String"),
        ("/json/bad/dup/db", '{"password": "%s", "password": "x"}'
         % secret_token("duplicate"), "SecureString"),
        ("/json/bad/nul/db", '{"password": "%s\\u0000"}' % secret_token("nul"), "SecureString"),
        ("/json/bad/deep/db", '{"deep": %s1%s}' % ("[" * 70, "]" * 70), "String"),
        ("/json/bad/broken/db", '{"password": "%s"' % secret_token("broken"), "SecureString"),
        ("/json/bad/clash/db", json.dumps({"password": secret_token("clash a")}), "SecureString"),
        ("/json/bad/clash/db/password", secret_token("clash b"), "SecureString"),
        ("/json/bad/reserved/ld", json.dumps({"preload": "/tmp/x.so"}), "String"),
        ("/json/plain/text", secret_token("plain text"), "SecureString"),
    ])


def tearDownModule():
    global PG_LOG
    if PG is not None:
        PG_LOG = PG.log()
        PG.stop()
    if SERVER is not None:
        SERVER.stop()
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


class Run:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def describe(self):
        return ("argv: %s\nexit: %s\nstderr:\n%s"
                % (" ".join(self.argv), self.rc, self.err.decode("utf-8", "replace")[-3000:]))


class JsonCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=TMP, prefix=self._testMethodName[:40] + "-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(os.path.join(self.home, ".aws"))
        self._n = 0

    def env(self, **extra):
        return SERVER.envssm_env(self.home, extra=extra)

    def run_envssm(self, args, env, print_mode=False, verbose=True):
        """Run envssm; stderr (and stdout, unless print mode's) must hold no secret."""
        motoserver.check_env_pinned(env)
        argv = [ENVSSM] + (["-v"] if verbose else []) + list(args)
        p = subprocess.run(argv, env=env, cwd=self.dir, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=RUN_TIMEOUT_S)
        run = Run(argv, p.returncode, p.stdout, p.stderr)
        checked = run.err if print_mode else run.out + run.err
        leaks = find_leaks(checked) + [f.decode() for f in FORBIDDEN if f in checked]
        self.assertEqual(leaks, [], "envssm's own output leaks\n" + run.describe())
        return run

    def dump(self, args, env):
        """envssm ARGS -- (dump envp): (run, {name: value bytes})."""
        self._n += 1
        out = os.path.join(self.dir, "environ.%d" % self._n)
        run = self.run_envssm(list(args) + ["--", PYTHON, "-I", "-S", "-c", DUMP_ENV, out], env)
        self.assertEqual(run.rc, 0, run.describe())
        with open(out, "rb") as f:
            pairs = [e.partition(b"=") for e in f.read().split(b"\0") if e]
        return run, {k.decode(): v for k, _, v in pairs}

    def assert_fails(self, args, env, needles):
        """Exit 125 before the program runs, with one stderr line naming every needle."""
        self._n += 1
        out = os.path.join(self.dir, "ran.%d" % self._n)
        run = self.run_envssm(list(args) + ["--", PYTHON, "-I", "-S", "-c", DUMP_ENV, out], env,
                              verbose=False)
        ctx = run.describe()
        self.assertEqual(run.rc, 125, ctx)
        self.assertFalse(os.path.exists(out), "the program ran\n" + ctx)
        lines = run.err.decode("utf-8", "replace").splitlines()
        self.assertEqual(len(lines), 1, "stderr is not one line\n" + ctx)
        self.assertTrue(lines[0].startswith("envssm: "), ctx)
        for n in needles:
            self.assertIn(n, lines[0], ctx)
        return lines[0]


class Test1Selectors(JsonCase):
    def test_fields_of_an_rds_secret(self):
        ref = "ssm://" + SM + SECRET_ID
        _, got = self.dump([], self.env(PGUSER=ref + "#username", PGPASSWORD=ref + "#password",
                                        PGHOST=ref + "#host", PGPORT=ref + "#port",
                                        PGDATABASE=ref + "#dbname", ENGINE=ref + "#engine"))
        self.assertEqual(got["PGUSER"], ROLE.encode())
        self.assertEqual(got["PGPASSWORD"], PASSWORD.encode())
        self.assertEqual(got["PGHOST"], b"127.0.0.1")
        self.assertEqual(got["PGPORT"], str(PG_PORT).encode())
        self.assertEqual(got["PGDATABASE"], DBNAME.encode())
        self.assertEqual(got["ENGINE"], b"postgres")

    def test_secret_labels(self):
        ref = "ssm://" + SM + SECRET_ID
        _, got = self.dump([], self.env(OLD=ref + ":AWSPREVIOUS#password",
                                        CUR=ref + ":AWSCURRENT#password"))
        self.assertEqual(got["OLD"], OLD_PASSWORD.encode())
        self.assertEqual(got["CUR"], PASSWORD.encode())

    def test_whole_secret_without_a_field(self):
        _, got = self.dump([], self.env(DB="ssm://" + SM + SECRET_ID))
        self.assertEqual(json.loads(got["DB"]), rds_secret(PASSWORD, PG_PORT))

    def test_parameter_versions_and_labels(self):
        _, got = self.dump([], self.env(V1="ssm:///json/app/config:1#region",
                                        LIVE="ssm:///json/app/config:live#region",
                                        V2="ssm:///json/app/config:2#region",
                                        LATEST="ssm:///json/app/config#region",
                                        RATIO="ssm:///json/app/config#ratio"))
        self.assertEqual(got["V1"], b"eu-west-1")
        self.assertEqual(got["LIVE"], b"eu-west-1")
        self.assertEqual(got["V2"], b"eu-central-1")
        self.assertEqual(got["LATEST"], b"eu-central-1")
        self.assertEqual(got["RATIO"], b"1.50")  # as written, not 1.5

    def test_dry_run_shows_the_field(self):
        run = self.run_envssm(["--dry-run"], self.env(
            PGPASSWORD="ssm://" + SM + SECRET_ID + "#password"))
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIn(("PGPASSWORD\tssm://%s%s#password\tSecureString" % (SM, SECRET_ID)).encode(),
                      run.out)

    def test_bad_fields_in_one_line(self):
        ref = "ssm://" + SM + SECRET_ID
        line = self.assert_fails([], self.env(
            A=ref + "#missing", B="ssm:///json/bad/nested/db#options",
            C="ssm:///json/bad/null/db#proxy", D="ssm:///json/plain/text#x",
            E=ref + "#password"),
            ["unable to select JSON fields", "A -> " + SM + SECRET_ID + "#missing: no such field",
             "B -> /json/bad/nested/db#options: the field is an object",
             "C -> /json/bad/null/db#proxy: the field is null",
             "D -> /json/plain/text#x: the value is not a JSON object"])
        self.assertNotIn("E ->", line)

    def test_hostile_objects(self):
        for var, ref, needle in [
                ("DUP", "/json/bad/dup/db#password", "field 'password' appears twice"),
                ("NUL", "/json/bad/nul/db#password", "field 'password': a NUL"),
                ("DEEP", "/json/bad/deep/db#deep", "field 'deep': nesting deeper than 64"),
                ("BROKEN", "/json/bad/broken/db#password", "field 'password': ',' or '}' expected"),
        ]:
            with self.subTest(var=var):
                self.assert_fails([], self.env(**{var: "ssm://" + ref}),
                                  [var + " -> " + ref, needle])

    def test_bad_secret_and_field_syntax(self):
        self.assert_fails([], self.env(X="ssm://" + SM + "a,b#password"),
                          ["X (", "a byte Secrets Manager names cannot hold"])
        self.assert_fails([], self.env(X="ssm:///json/app/config#"),
                          ["X (", "a #FIELD is 1 to 256 bytes"])


class Test2Expand(JsonCase):
    def expected(self):
        return {"DB_USERNAME": ROLE, "DB_PASSWORD": PASSWORD, "DB_HOST": "127.0.0.1",
                "DB_PORT": str(PG_PORT), "DB_ENGINE": "postgres", "DB_DBNAME": DBNAME,
                "DEBUG": "false", "LIST": "[1, 2]"}

    def added(self, got, env):
        return {k: v.decode() for k, v in got.items() if k not in env}

    def test_expand_flag(self):
        env = self.env()
        _, got = self.dump(["--expand-json", "/json/pg"], env)
        self.assertEqual(self.added(got, env), self.expected())

    def test_expand_variable(self):
        env = self.env(ENVSSM_EXPAND_JSON="1")
        _, got = self.dump(["/json/pg"], env)
        self.assertEqual(self.added(got, env), self.expected())

    def test_without_expand_the_blob_stays(self):
        env = self.env()
        _, got = self.dump(["/json/pg"], env)
        self.assertEqual(sorted(self.added(got, env)), ["DB", "DEBUG", "LIST"])
        self.assertEqual(json.loads(got["DB"]), rds_secret(PASSWORD, PG_PORT))

    def test_expand_with_prefix_and_last_segment(self):
        env = self.env()
        _, got = self.dump(["--expand-json", "--prefix", "APP_", "--last-segment", "/json/pg"],
                           env)
        want = {"APP_" + k: v for k, v in self.expected().items()}
        self.assertEqual(self.added(got, env), want)

    def test_dry_run_names_each_source(self):
        run = self.run_envssm(["--expand-json", "--dry-run", "/json/pg"], self.env())
        self.assertEqual(run.rc, 0, run.describe())
        rows = [l.split("\t") for l in run.out.decode().splitlines()]
        sources = {r[0]: (r[1], r[2]) for r in rows}
        for field in ("username", "password", "host", "port", "engine", "dbname"):
            self.assertEqual(sources["DB_" + field.upper()],
                             ("/json/pg/db#" + field, "SecureString"), run.describe())
        self.assertEqual(sources["DEBUG"], ("/json/pg/debug", "String"))

    def test_collision_names_both_sources(self):
        self.assert_fails(["--expand-json", "/json/bad/clash"], self.env(),
                          ["'/json/bad/clash/db#password'", "'/json/bad/clash/db/password'",
                           "DB_PASSWORD"])

    def test_reserved_name_refused(self):
        self.assert_fails(["--expand-json", "/json/bad/reserved"], self.env(),
                          ["'/json/bad/reserved/ld#preload'", "reserved name 'LD_PRELOAD'"])

    def test_bad_objects_refused(self):
        for path, needle in [
                ("/json/bad/nested", "field 'options' is an object"),
                ("/json/bad/null", "field 'proxy' is null"),
                ("/json/bad/dup", "field 'password' appears twice"),
                ("/json/bad/nul", "field 'password': a NUL"),
                ("/json/bad/deep", "field 'deep': nesting deeper than 64 levels"),
                ("/json/bad/broken", "field 'password': ',' or '}' expected"),
        ]:
            with self.subTest(path=path):
                self.assert_fails(["--expand-json", path], self.env(),
                                  ["unable to expand '%s/db' (--expand-json)" % path, needle])


class Test3Print(JsonCase):
    def test_json_format_carries_selected_fields(self):
        ref = "ssm://" + SM + SECRET_ID
        run = self.run_envssm(["--format", "json"], self.env(
            PGUSER=ref + "#username", PGPASSWORD=ref + "#password", PGPORT=ref + "#port"),
            print_mode=True)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertEqual(json.loads(run.out), {"PGUSER": ROLE, "PGPASSWORD": PASSWORD,
                                               "PGPORT": str(PG_PORT)})

    def test_shell_format_carries_expanded_fields(self):
        run = self.run_envssm(["--expand-json", "--format", "shell", "/json/pg"], self.env(),
                              print_mode=True)
        self.assertEqual(run.rc, 0, run.describe())
        script = run.out.decode() + "\nprintf '%s\\n' \"$DB_PASSWORD\" \"$DB_PORT\" \"$DB_USERNAME\""
        p = subprocess.run(["sh", "-c", script], capture_output=True, timeout=30,
                           env={"PATH": motoserver.SAFE_PATH})
        self.assertEqual(p.stdout.decode().splitlines(), [PASSWORD, str(PG_PORT), ROLE])

    def test_dotenv_format_carries_both(self):
        run = self.run_envssm(["--expand-json", "--format", "dotenv", "/json/pg"],
                              self.env(OLD="ssm://" + SM + SECRET_ID + ":AWSPREVIOUS#password"),
                              print_mode=True)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIn(PASSWORD.encode(), run.out)
        self.assertIn(OLD_PASSWORD.encode(), run.out)
        self.assertIn(b"DB_PORT=", run.out)


class Test4Postgres(JsonCase):
    """psql is the consumer: it connects over TCP with a SCRAM password."""

    def setUp(self):
        if PG is None:
            self.skipTest(PG_SKIP)
        super().setUp()

    def psql(self, *args):
        return [PG.psql, "-X", "-w", "-A", "-t"] + list(args)

    def test_psql_needs_the_password(self):
        # the server really checks: no password, or a wrong one, is refused
        for extra in ({}, {"PGPASSWORD": "wrong"}):
            p = subprocess.run(self.psql("-c", "select current_user"), capture_output=True,
                               timeout=30, env=dict({"PATH": motoserver.SAFE_PATH, "PGUSER": ROLE,
                                                     "PGHOST": "127.0.0.1",
                                                     "PGPORT": str(PG.port),
                                                     "PGDATABASE": DBNAME}, **extra))
            self.assertNotEqual(p.returncode, 0, p)
            self.assertNotIn(ROLE.encode(), p.stdout)

    def test_psql_with_selectors(self):
        ref = "ssm://" + SM + SECRET_ID
        run = self.run_envssm(["--"] + self.psql("-c", "select current_user"), self.env(
            PGUSER=ref + "#username", PGPASSWORD=ref + "#password", PGHOST=ref + "#host",
            PGPORT=ref + "#port", PGDATABASE=ref + "#dbname"))
        self.assertEqual(run.rc, 0, run.describe() + run.out.decode())
        self.assertEqual(run.out.decode().strip(), ROLE)

    def test_psql_with_the_previous_password_fails(self):
        ref = "ssm://" + SM + SECRET_ID
        run = self.run_envssm(["--"] + self.psql("-c", "select current_user"), self.env(
            PGUSER=ref + "#username", PGPASSWORD=ref + ":AWSPREVIOUS#password",
            PGHOST=ref + "#host", PGPORT=ref + "#port", PGDATABASE=ref + "#dbname"))
        self.assertNotEqual(run.rc, 0, run.describe())
        self.assertIn(b"password authentication failed", run.err)

    def test_psql_with_expand_json(self):
        script = ('PGUSER="$DB_USERNAME" PGPASSWORD="$DB_PASSWORD" PGHOST="$DB_HOST" '
                  'PGPORT="$DB_PORT" PGDATABASE="$DB_DBNAME" exec %s'
                  % " ".join(shlex.quote(a) for a in self.psql("-c", "select current_user")))
        run = self.run_envssm(["--expand-json", "/json/pg", "--", "sh", "-c", script],
                              self.env())
        self.assertEqual(run.rc, 0, run.describe())
        self.assertEqual(run.out.decode().strip(), ROLE)


class Test9NoLeaks(unittest.TestCase):
    def test_server_log_holds_no_secret(self):
        if PG is None:
            self.skipTest(PG_SKIP)
        log = PG.log()
        self.assertIn("ready to accept connections", log)  # the log is the real one
        self.assertEqual(find_leaks(log), [])


if __name__ == "__main__":
    unittest.main()
