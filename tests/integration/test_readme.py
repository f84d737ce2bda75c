"""The README's examples, run against moto_server so the documentation cannot drift.

Run with `python3 tests/integration/run.py -k readme [--envssm PATH]`.

How README.md marks what is run (the way jq turns its manual into tests):

- `<!-- test: parameters -->` before a Markdown table whose first three columns are
  parameter, type and value. Each row is seeded into moto (with the harness's admin
  key, signature checking on). A value written `*(secret)*` is seeded as a fresh
  random token registered with the harness (motoserver.secret_token), so a leak of
  it anywhere is caught; any other value is seeded as written (without backticks).
- `<!-- test: NAME -->` before a ```console fence. Lines starting with `$ ` are
  commands (a command whose line ends in a backslash goes on over the next lines);
  the lines after a command, up to the next `$ `, are its expected output: stdout
  and stderr merged, as a terminal shows them. A line `...` stands for any number of
  lines. Runs of white space compare equal (the dry-run listing is tab-separated,
  the README aligns it with spaces).

Each block runs as one /bin/sh script in its own directory (so `echo $?` and files
one command writes for the next work as they read), with `envssm` on PATH being the
binary under test, an environment built from scratch by the harness (endpoint pinned
to the loopback moto, IMDS disabled, the admin key in AWS_ACCESS_KEY_ID/
AWS_SECRET_ACCESS_KEY, region us-east-1) and nothing inherited from the caller.
A block may not set AWS_* variables itself. Every block's whole output is checked
for the harness's registered secrets (seeded values, the moto users' secret keys)
and for signing material.

Also checked: the README has at least MIN_EXAMPLES such blocks and they cover the
features listed in REQUIRED_COVERAGE; every option and ENVSSM_* variable that
`envssm --help` prints appears in README.md and man/envssm.1, and so does every
reserved name and prefix in src/names.c; `mandoc -T lint`
finds nothing in the man page; examples/localstack.sh runs against moto (with the
aws CLI, when it is installed) and the examples' entry points are the README's.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoserver  # noqa: E402
from motoserver import find_leaks, secret_token  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENVSSM = os.path.abspath(os.environ.get("ENVSSM_TEST_BINARY") or os.path.join(ROOT, "envssm"))
README = os.path.join(ROOT, "README.md")
MANPAGE = os.path.join(ROOT, "man", "envssm.1")
EXAMPLES = os.path.join(ROOT, "examples")
RUN_TIMEOUT_S = 120
MIN_EXAMPLES = 6
SEP = "@@envssm-readme-separator@@"
SECRET_CELL = "*(secret)*"
FORBIDDEN = ["AWS4-HMAC-SHA256", "Signature=", "Credential=", "X-Amz-Security-Token"]
# What the executed examples must show between them: (label, pattern over the
# block's commands joined, pattern over its expected output or None).
REQUIRED_COVERAGE = [
    ("exec mode", r"envssm [^\n]*/\S+ -- ", None),
    ("--env", r"--env \S+ ", None),
    ("two paths", r"envssm [^\n]*--env \S+ /\S+ /\S+ --", None),
    ("--format shell", r"--format shell", None),
    ("--format dotenv", r"--format dotenv", None),
    ("--format json", r"--format json", None),
    ("--dry-run", r"--dry-run", None),
    ("a reference", r"=ssm:///", None),
    ("--require failing with 125", r"--require [^\n]*\n(.*\n)*echo \$\?", r"(?m)^125$"),
]

SERVER = None
TMP = None
BIN = None  # a directory holding `envssm` -> the binary under test


def setUpModule():
    global SERVER, TMP, BIN
    if not (os.path.isfile(ENVSSM) and os.access(ENVSSM, os.X_OK)):
        raise RuntimeError("envssm binary not found or not executable: %s (run make)" % ENVSSM)
    TMP = tempfile.mkdtemp(prefix="envssm-readme-")
    try:
        BIN = os.path.join(TMP, "bin")
        os.mkdir(BIN)
        os.symlink(ENVSSM, os.path.join(BIN, "envssm"))
        SERVER = motoserver.MotoServer().start()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


# --- reading the README ------------------------------------------------------------

MARKER = re.compile(r"^<!--\s*test:\s*([A-Za-z0-9_.-]+)\s*-->\s*$")


class Block:
    def __init__(self, name, line, kind, body):
        self.name, self.line, self.kind, self.body = name, line, kind, body

    def where(self):
        return "README.md:%d (test: %s)" % (self.line, self.name)


def read_marked(text):
    """Every marked block: a Block with body = the table's or the fence's lines."""
    lines = text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        name, start = m.group(1), i + 1
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines):
            raise AssertionError("README.md:%d: marker '%s' with nothing after it" % (start, name))
        if lines[i].startswith("|"):
            body = []
            while i < len(lines) and lines[i].startswith("|"):
                body.append(lines[i])
                i += 1
            blocks.append(Block(name, start, "table", body))
        elif lines[i].strip() == "```console":
            i += 1
            body = []
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise AssertionError("README.md:%d: unterminated console block" % start)
            i += 1
            blocks.append(Block(name, start, "console", body))
        else:
            raise AssertionError("README.md:%d: marker '%s' must precede a table or a "
                                 "```console block, not %r" % (start, name, lines[i]))
    return blocks


def parse_table(rows):
    """Markdown table rows -> [(name, type, value cell)], header and rule skipped."""
    out = []
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 3:
            raise AssertionError("parameter row with fewer than three cells: %r" % row)
        out.append(tuple(cells[:3]))
    return out


def unquote(cell):
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == "`" and cell[-1] == "`":
        return cell[1:-1]
    return cell


def parse_console(body):
    """Console lines -> [(command text, [expected output lines])]."""
    steps = []
    cont = False
    for line in body:
        if cont:
            steps[-1][0].append(line)
            cont = line.endswith("\\")
        elif line.startswith("$ "):
            steps.append(([line[2:]], []))
            cont = line.endswith("\\")
        elif not steps:
            raise AssertionError("output before the first command: %r" % line)
        else:
            steps[-1][1].append(line)
    result = []
    for cmd, expected in steps:
        while expected and not expected[-1].strip():
            expected.pop()
        result.append(("\n".join(cmd), expected))
    return result


def norm(line):
    return " ".join(line.split())


def lines_match(expected, actual):
    """Whole-list match; an expected line '...' matches any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(lines_match(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and norm(expected[0]) == norm(actual[0]) and \
        lines_match(expected[1:], actual[1:])


def script_for(steps):
    """One sh script: each command, then a separator line that keeps its status."""
    parts = []
    for cmd, _ in steps:
        parts.append(cmd)
        parts.append("__rc=$?; printf '\\n%s\\n' '%s'; (exit $__rc)" % (SEP, SEP))
    return "\n".join(parts) + "\n"


def split_outputs(out, n):
    chunks = out.split("\n%s\n" % SEP)
    return [c.splitlines() for c in chunks[:n]], chunks[n:]


def readme_text():
    with open(README, encoding="utf-8") as f:
        return f.read()


# --- the tests -----------------------------------------------------------------------

class TestReadme(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.blocks = read_marked(readme_text())
        cls.examples = [b for b in cls.blocks if b.kind == "console"]
        tables = [b for b in cls.blocks if b.kind == "table"]
        if len(tables) != 1 or tables[0].name != "parameters":
            raise AssertionError("README.md needs exactly one '<!-- test: parameters -->' "
                                 "table, found %d" % len(tables))
        cls.parameters = parse_table(tables[0].body)
        seed = []
        for name, ptype, cell in cls.parameters:
            name, ptype = unquote(name), unquote(ptype)
            value = secret_token("README " + name) if cell == SECRET_CELL else unquote(cell)
            seed.append((name, value, ptype))
        # one at a time, in the table's order: moto then lists them in that order,
        # which the collision example's message depends on
        for name, value, ptype in seed:
            SERVER.put_parameter(name, value, type=ptype)

    def environment(self, home, path_dirs=()):
        env = SERVER.envssm_env(home)
        env["PATH"] = ":".join([BIN] + list(path_dirs) + [motoserver.SAFE_PATH])
        motoserver.check_env_pinned(env)
        return env

    def assert_no_leaks(self, output, context):
        leaks = find_leaks(output) + [f for f in FORBIDDEN if f in output]
        if leaks:
            shown = output[-3000:]
            for label, value in motoserver.SECRETS.items():
                if value:
                    shown = shown.replace(value, "<%s>" % label)
            self.fail("%s: output leaks %s\n%s" % (context, ", ".join(leaks), shown))

    def run_script(self, script, cwd, env):
        path = os.path.join(cwd, ".readme-example.sh")
        with open(path, "w") as f:
            f.write(script)
        try:
            p = subprocess.run(["/bin/sh", path], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.fail("did not finish within %d s:\n%s" % (RUN_TIMEOUT_S, script))
        finally:
            os.unlink(path)
        return p.returncode, p.stdout.decode("utf-8", "replace")

    def test_examples_run_as_documented(self):
        self.assertGreaterEqual(len(self.examples), MIN_EXAMPLES,
                                "README.md has too few executed examples")
        for block in self.examples:
            with self.subTest(block.where()):
                self.check_example(block)

    def check_example(self, block):
        steps = parse_console(block.body)
        self.assertTrue(steps, "%s: no command" % block.where())
        text = "\n".join(cmd for cmd, _ in steps)
        # the harness pins the endpoint and the keys; an example must not move them
        self.assertIsNone(re.search(r"\bAWS_[A-Z_]+=", text),
                          "%s sets AWS_* variables; executed examples must not" % block.where())
        for tool in ("jq",):
            if re.search(r"\b%s\b" % tool, text) and shutil.which(tool) is None:
                self.skipTest("%s is not installed" % tool)
        work = tempfile.mkdtemp(dir=TMP, prefix=block.name + "-")
        home = os.path.join(work, "home")
        cwd = os.path.join(work, "cwd")
        os.makedirs(cwd)
        rc, out = self.run_script(script_for(steps), cwd, self.environment(home))
        self.assert_no_leaks(out, block.where())
        outputs, rest = split_outputs(out, len(steps))
        self.assertEqual(len(outputs), len(steps),
                         "%s: the script stopped early (status %d):\n%s"
                         % (block.where(), rc, out))
        self.assertEqual("".join(rest).strip(), "", "%s: output after the last command"
                         % block.where())
        for (cmd, expected), actual in zip(steps, outputs):
            if not lines_match(expected, actual):
                self.fail("%s\n$ %s\n--- the README says\n%s\n--- envssm printed\n%s"
                          % (block.where(), cmd, "\n".join(expected), "\n".join(actual)))

    def test_examples_cover_the_features(self):
        for label, cmd_pattern, out_pattern in REQUIRED_COVERAGE:
            with self.subTest(label):
                found = False
                for block in self.examples:
                    steps = parse_console(block.body)
                    cmds = "\n".join(cmd for cmd, _ in steps) + "\n"
                    outs = "\n".join(line for _, exp in steps for line in exp)
                    if re.search(cmd_pattern, cmds) and \
                            (out_pattern is None or re.search(out_pattern, outs)):
                        found = True
                        break
                self.assertTrue(found, "no executed README example shows %s" % label)

    def test_every_option_is_documented(self):
        p = subprocess.run([ENVSSM, "--help"], stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        usage = p.stdout.decode()
        options = sorted(set(re.findall(r"(?<![\w-])--([a-z][a-z-]+)", usage)))
        variables = sorted(set(re.findall(r"\bENVSSM_[A-Z_]+", usage)))
        self.assertGreater(len(options), 15, usage)
        readme = readme_text()
        with open(MANPAGE, encoding="utf-8") as f:
            man = f.read()
        for opt in options:
            with self.subTest(option=opt):
                self.assertTrue(re.search(r"(?<![\w-])--%s(?![a-z-])" % re.escape(opt), readme),
                                "README.md does not document --%s" % opt)
                self.assertTrue(re.search(r"Fl -%s(?![a-z-])" % re.escape(opt), man),
                                "man/envssm.1 does not document --%s" % opt)
        for var in variables + ["ENVSSM_VERBOSE"]:
            with self.subTest(variable=var):
                self.assertIn(var, readme, "README.md does not name %s" % var)
                self.assertTrue(re.search(r"Ev %s\b" % var, man),
                                "man/envssm.1 does not name %s" % var)

    def test_reserved_names_are_documented(self):
        """Every row of src/names.c's reserved table is in the man page with its reason,
        and every name of it (a prefix with its '*') is in the README."""
        with open(os.path.join(ROOT, "src", "names.c"), encoding="utf-8") as f:
            source = f.read()
        m = re.search(r"reserved\[\]\s*=\s*\{(.*?)\n\};", source, re.S)
        self.assertIsNotNone(m, "the reserved table is not found in src/names.c")
        body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
        joined = lambda literals: "".join(re.findall(r'"([^"]*)"', literals))
        rows = [(joined(n).split(), joined(r)) for n, r in re.findall(
            r'\{\.names\s*=\s*((?:"[^"]*"\s*)+),\s*\.reason\s*=\s*((?:"[^"]*"\s*)+)', body)]
        self.assertEqual(len(rows), body.count(".names"), "a row of the table was not read")
        self.assertGreater(sum(len(names) for names, _ in rows), 100)
        readme = readme_text()
        with open(MANPAGE, encoding="utf-8") as f:
            man = f.read().splitlines()
        man = man[man.index(".Sh SECURITY CONSIDERATIONS"):]
        for names, reason in rows:
            with self.subTest(names=names):
                self.assertRegex(names[0], r"^[A-Za-z0-9_]+\*?$")
                item = ".It Ev " + " , ".join(names)
                self.assertIn(item, man, "man/envssm.1 does not list %s" % " ".join(names))
                self.assertEqual(man[man.index(item) + 1], reason,
                                 "man/envssm.1 gives %s another reason" % " ".join(names))
                for name in names:
                    self.assertIn("`%s`" % name, readme, "README.md does not list %s" % name)

    def test_manpage_lints_clean(self):
        if shutil.which("mandoc") is None:
            self.skipTest("mandoc is not installed")
        p = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", MANPAGE],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        self.assertEqual((p.returncode, p.stdout + p.stderr), (0, b""))

    def test_examples_use_the_documented_entrypoint(self):
        entry = '["envssm", "/app", "--"]'
        self.assertIn("ENTRYPOINT %s" % entry, readme_text())
        with open(os.path.join(EXAMPLES, "Dockerfile"), encoding="utf-8") as f:
            dockerfile = f.read()
        self.assertIn("ENTRYPOINT %s" % entry, dockerfile)
        # the one static file from `make static`, nothing built in the image
        self.assertIn("COPY build/static-${TRIPLET}/envssm /usr/local/bin/envssm", dockerfile)
        self.assertNotRegex(dockerfile, r"(?m)^RUN ")
        with open(os.path.join(EXAMPLES, "Dockerfile.debian"), encoding="utf-8") as f:
            debian = f.read()
        self.assertIn("ENTRYPOINT %s" % entry, debian)
        for pkg in ("libcurl4", "libcjson1", "ca-certificates"):
            self.assertIn(pkg, debian)
        # what the README says about them
        self.assertIn("examples/Dockerfile.debian", readme_text())
        with open(os.path.join(EXAMPLES, "docker-compose.yml"), encoding="utf-8") as f:
            compose = f.read()
        self.assertIn("ENVSSM_ENV", compose)
        self.assertIn(entry, compose)
        with open(os.path.join(EXAMPLES, "github-actions.yml"), encoding="utf-8") as f:
            self.assertIn("--format github", f.read())
        try:
            import yaml
        except ImportError:
            return
        for name in ("docker-compose.yml", "github-actions.yml"):
            with self.subTest(name), open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
                self.assertIsInstance(yaml.safe_load(f), dict)

    def test_localstack_example_against_moto(self):
        """examples/localstack.sh, pointed at moto instead of LocalStack."""
        aws = os.path.join(os.path.dirname(os.path.realpath(sys.executable)), "aws")
        if not os.access(aws, os.X_OK):
            aws = shutil.which("aws")
        if aws is None:
            self.skipTest("the aws CLI is not installed")
        work = tempfile.mkdtemp(dir=TMP, prefix="localstack-")
        home = os.path.join(work, "home")
        env = self.environment(home, [os.path.dirname(aws)])
        script = os.path.join(EXAMPLES, "localstack.sh")
        for argv, want in (([], [r"(?m)^DEBUG\s+/dev/app/debug\s+String\s+version \d+$",
                                 r"(?m)^DJANGO_SECRET_KEY\s+/dev/app/django/secret-key\s+"
                                 r"SecureString\s+version \d+$"]),
                           (["sh", "-c", 'echo "DEBUG=$DEBUG"'], [r"(?m)^DEBUG=true$"])):
            with self.subTest(argv=argv):
                p = subprocess.run(["/bin/sh", script] + argv, cwd=work, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT_S)
                out = p.stdout.decode("utf-8", "replace")
                self.assert_no_leaks(out, "examples/localstack.sh")
                self.assertEqual(p.returncode, 0, out)
                for pattern in want:
                    self.assertRegex(out, pattern)


if __name__ == "__main__":
    unittest.main()
