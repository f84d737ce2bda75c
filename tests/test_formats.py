#!/usr/bin/env python3
"""test_formats.py - envssm's print formats against their real consumers.

Usage: python3 tests/test_formats.py --tool PATH/TO/format_tool
           [--seed N] [--count N] [--node-dotenv DIR] [-k SUBSTRING]

Every value is rendered by the C format code (through tests/format_tool.c)
and read back by what really consumes the format, then compared byte for
byte:

  shell   eval "$(cat FILE)" in sh, dash, bash and bash --posix, then
          printf %s "$NAME" into a file per variable, and env -0 to see
          that each one was exported
  dotenv  python-dotenv's dotenv_values(path) with its defaults
          (interpolation on, text mode with universal newlines)
  json    json.loads
  github  a reader of $GITHUB_ENV written from actions/runner's
          EnvFileKeyValuePairs (Linux line splitting, NODE_OPTIONS blocked)
          and a reader of the ::add-mask:: workflow commands written from
          ActionCommand.TryParseV2 and AddMaskCommandExtension
  docker  a reader of docker run --env-file written from docker/cli's
          pkg/kvfile (as released: values taken literally)

With --node-dotenv DIR (a directory holding node_modules/dotenv), node's
dotenv package is checked too, for the values both parsers can share.

The last line is "N passed, N failed"; the exit status is 1 on any failure.
"""

import argparse
import base64
import hashlib
import io
import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean

import dotenv  # noqa: E402  python-dotenv

TOOL = None
SEED = 20240611
COUNT = 300
NODE_DOTENV = None

# --- the values --------------------------------------------------------------

FIXED = [
    ('EMPTY', b''),
    ('PLAIN', b'hunter2'),
    ('SINGLE_QUOTE', b"it's"),
    ('ONLY_SINGLE_QUOTE', b"'"),
    ('QUOTED_SINGLE', b"'quoted'"),
    ('DOUBLE_QUOTE', b'say "hi"'),
    ('QUOTED_DOUBLE', b'"quoted"'),
    ('MIXED_QUOTES', b'''a'b"c'd"e'''),
    ('DOLLAR', b'pa$$word$'),
    ('DOLLAR_HOME', b'$HOME'),
    ('BRACE_HOME', b'${HOME}'),
    ('BRACE_DEFAULT', b'${HOME:-x}'),
    ('BRACE_EMPTY_NAME', b'${:-x}'),
    ('BRACE_EQ_NAME', b'${=:-$}'),
    ('BRACE_UNSET', b'${ENVSSM_SURELY_UNSET}'),
    ('BRACE_OPEN', b'${'),
    ('BRACE_NESTED', b'${a${b}'),
    ('BRACE_DOLLAR_TAIL', b'${HOME}$'),
    ('COMMAND_SUBST', b'$(id) `id`'),
    ('BACKTICKS', b'`echo pwned`'),
    ('BACKSLASH', b'a\\b'),
    ('BACKSLASHES', b'\\\\server\\share\\'),
    ('LONE_BACKSLASH', b'\\'),
    ('TWO_BACKSLASHES', b'\\\\'),
    ('TRAILING_BACKSLASH', b'C:\\dir\\'),
    ('BACKSLASH_QUOTE', b"\\'"),
    ('BACKSLASH_DQUOTE', b'\\"'),
    ('BACKSLASH_N', b'line\\nnot a newline'),
    ('BACKSLASH_DOLLAR', b'\\${HOME}'),
    ('EQUALS', b'a=b==c='),
    ('LEADING_EQUALS', b'=x'),
    ('NEWLINE', b'line1\nline2'),
    ('NEWLINES_ONLY', b'\n\n'),
    ('TRAILING_NEWLINE', b'text\n'),
    ('LEADING_NEWLINE', b'\ntext'),
    ('CR', b'a\rb'),
    ('CR_ONLY', b'\r'),
    ('CR_TRAILING', b'text\r'),
    ('CRLF', b'one\r\ntwo\r\n'),
    ('CR_AND_BRACE', b'a\r${HOME}\\'),
    ('TABS', b'\tcol1\tcol2\t'),
    ('SPACES', b'  padded  '),
    ('ONLY_SPACES', b'   '),
    ('HASH', b'#not a comment'),
    ('SPACE_HASH', b'value # not a comment'),
    ('UTF8', 'é 日本語 🚀'.encode()),
    ('UTF8_SPACES', '\u00a0\u3000\u2028\u2029\u0085'.encode()),
    ('BOM', '\ufeffbom'.encode()),
    ('CONTROLS', b'\x01\x02\x07\x08\x0b\x0c\x1b\x1c\x1f\x7f'),
    ('PERCENT', b'100% %25 %0D %0A'),
    ('WORKFLOW_COMMAND', b'::add-mask::x\n::stop-commands::y'),
    ('DELIMITER_LIKE', b'ghadelimiter_\nEOF\n'),
    ('HEREDOC_LIKE', b'X<<EOF\nY=1\nEOF'),
    ('EXPORT_LIKE', b"export X='1'\nY=2"),
    ('JSON_LIKE', b'{"a": [1, "\\u0000"]}'),
    ('LONG', bytes(random.Random(7).choice(b'abcdef$\'"\\ \n') for _ in range(4096))),
    ('LONG_LINE', b'x' * 4096),
]

# Pieces random values are built from: what breaks quoting, and code points
# from every UTF-8 length.
PIECES = [
    '$', '{', '}', '${', '${HOME}', '${X:-d}', '${=:-$}', ':-', '\\', '\\\\', "'",
    '"', '`', '\\\'', '\\"', '\n', '\r', '\r\n', '\t', ' ', '#', ' #', '=', '%', '%0D',
    '%25', '::', 'ghadelimiter_', 'EOF', '<<', 'export ', 'é', '日本語', '🚀', '\u2028',
    '\u0085', '\u00a0', '\ufeff', '\x0b', '\x0c', '\x1c', '\x7f', 'a', 'Z', '0',
]


def random_char(rng):
    """One code point, never NUL or a surrogate."""
    ranges = [(0x01, 0x7f), (0x80, 0x7ff), (0x800, 0xd7ff), (0xe000, 0xffff),
              (0x10000, 0x10ffff)]
    lo, hi = rng.choice(ranges)
    return chr(rng.randint(lo, hi))


def random_text(rng, max_pieces=24):
    parts = []
    for _ in range(rng.randint(0, max_pieces)):
        parts.append(rng.choice(PIECES) if rng.random() < 0.7 else random_char(rng))
    return ''.join(parts).encode()


def random_values(tag, count=None):
    rng = random.Random(f'{SEED}-{tag}')
    return [(f'R_{i:04d}', random_text(rng)) for i in range(count or COUNT)]


def random_byte_values(tag, count=None):
    """Arbitrary bytes but NUL: what a shell can carry."""
    rng = random.Random(f'{SEED}-{tag}')
    out = []
    for i in range(count or COUNT):
        raw = bytes(rng.randint(1, 255) for _ in range(rng.randint(0, 40)))
        out.append((f'B_{i:04d}', raw))
    return out


def batches(items, size=50):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- running the tool ----------------------------------------------------------

def render(fmt, variables, *args, umask=None):
    """Runs format_tool; returns (rc, stdout bytes, stderr bytes)."""
    lines = b''.join(name.encode() + b'\t' + base64.b64encode(value) + b'\n'
                     for name, value in variables)
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    p = subprocess.run([TOOL, fmt, *args], input=lines, capture_output=True,
                       preexec_fn=preexec, timeout=60)
    return p.returncode, p.stdout, p.stderr


def render_ok(test, fmt, variables, *args):
    rc, out, err = render(fmt, variables, *args)
    test.assertEqual(rc, 0, f'{fmt}: {err.decode(errors="replace")}')
    return out, err


# --- consumers and readers -------------------------------------------------------

def run_shell(shell, text, names):
    """eval's the text in shell and returns {name: bytes} as printf %s sees
    them, plus {name: bytes} from env -0 (exported variables only)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'vars.sh')
        with open(path, 'wb') as f:
            f.write(text)
        script = ['eval "$(cat "$1")"']
        for name in names:
            script.append(f'printf %s "${name}" > "$2/{name}"')
        script.append('env -0 > "$2/env0"')
        outdir = os.path.join(d, 'out')
        os.mkdir(outdir)
        cmd = shell + ['-c', '\n'.join(script), 'sh', path, outdir]
        p = subprocess.run(cmd, capture_output=True, timeout=60,
                           env={'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'LC_ALL': 'C.UTF-8'})
        if p.returncode != 0:
            raise AssertionError(f'{shell}: exit {p.returncode}: {p.stderr!r}')
        seen = {}
        for name in names:
            with open(os.path.join(outdir, name), 'rb') as f:
                seen[name] = f.read()
        exported = {}
        with open(os.path.join(outdir, 'env0'), 'rb') as f:
            for entry in f.read().split(b'\0'):
                k, sep, v = entry.partition(b'=')
                if sep:
                    exported[k.decode()] = v
        return seen, exported


def read_dotenv(text, **kwargs):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, '.env')
        with open(path, 'wb') as f:
            f.write(text)
        return dict(dotenv.dotenv_values(path, **kwargs))


# actions/runner src/Runner.Worker/FileCommandManager.cs
GITHUB_BLOCKED = {'NODE_OPTIONS'}


def github_read_line(text, index):
    """ReadLine on Linux: splits at LF only. Returns (line, newline, index)."""
    if index >= len(text):
        return None, None, index
    lf = text.find('\n', index)
    if lf < 0:
        return text[index:], None, len(text)
    return text[index:lf], '\n', lf + 1


def github_env_read(data):
    """EnvFileKeyValuePairs over the file's bytes, then SetEnvFileCommand's
    block list. File.ReadAllText: UTF-8, BOM dropped, bad bytes replaced."""
    text = data.decode('utf-8', errors='replace')
    if text.startswith('\ufeff'):
        text = text[1:]
    pairs, index = [], 0
    line, _, index = github_read_line(text, index)
    while line is not None:
        if line:
            eq, heredoc = line.find('='), line.find('<<')
            if eq >= 0 and (heredoc < 0 or eq < heredoc):
                key, value = line.split('=', 1)
                if not key:
                    raise ValueError(f'invalid format {line!r}')
            elif heredoc >= 0 and (eq < 0 or heredoc < eq):
                key, delimiter = line.split('<<', 1)
                if not key or not delimiter:
                    raise ValueError(f'invalid format {line!r}')
                start = end = index
                temp, newline, index = github_read_line(text, index)
                while temp != delimiter:
                    if temp is None:
                        raise ValueError(f'matching delimiter not found {delimiter!r}')
                    if newline is None:
                        raise ValueError('EOF marker missing new line')
                    end = index - len(newline)
                    temp, newline, index = github_read_line(text, index)
                value = text[start:end] if end > start else ''
            else:
                raise ValueError(f'invalid format {line!r}')
            pairs.append((key, value))
        line, _, index = github_read_line(text, index)
    return {k: v for k, v in pairs if k.upper() not in GITHUB_BLOCKED}


# .NET Char.IsWhiteSpace
DOTNET_SPACE = set('\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000') | {
    chr(c) for c in range(0x2000, 0x200b)}


def dotnet_lines(text):
    """StreamReader.ReadLine: a line ends at CR, LF or CRLF."""
    lines, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c in '\r\n':
            lines.append(''.join(cur))
            cur = []
            if c == '\r' and i + 1 < len(text) and text[i + 1] == '\n':
                i += 1
        else:
            cur.append(c)
        i += 1
    if cur:
        lines.append(''.join(cur))
    return lines


def github_masks_read(data):
    """The masks a runner registers from a step's output: TryParseV2 on each
    line, UnescapeData's replacements in order, IsNullOrWhiteSpace refused.
    Returns (masks, warnings, other lines)."""
    masks, warnings, other = set(), 0, []
    for message in dotnet_lines(data.decode('utf-8')):
        m = message.lstrip()
        end = m.find('::', 2) if m.startswith('::') else -1
        if end < 0 or m[2:end].split(' ', 1)[0] != 'add-mask':
            other.append(message)
            continue
        value = m[end + 2:]
        for token, rep in (('\r', '%0D'), ('\n', '%0A'), ('%', '%25')):
            value = value.replace(rep, token)
        if all(c in DOTNET_SPACE for c in value):
            warnings += 1
        else:
            masks.add(value)
    return masks, warnings, other


def needed_masks(value):
    """Every line of the value (split at LF) and every piece of it between
    CRs, which is how a log line can carry it; blank ones cannot be masked."""
    need = set()
    for line in value.split('\n'):
        for piece in [line] + line.split('\r'):
            if piece and not all(c in DOTNET_SPACE for c in piece):
                need.add(piece)
    return need


GO_SPACE = set('\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000') | {
    chr(c) for c in range(0x2000, 0x200b)}
GO_MAX_TOKEN = 64 * 1024  # bufio.MaxScanTokenSize


def docker_env_read(data):
    """docker/cli pkg/kvfile parseKeyValueFile (v28): bufio.ScanLines (LF,
    a CR before it dropped, 64 KiB buffer), UTF-8 checked, BOM dropped on
    line 1, leading white space trimmed, # and empty lines skipped, the
    value after the first '=' taken as is."""
    out, pos, lineno = {}, 0, 0
    while pos < len(data):
        lf = data.find(b'\n', pos)
        raw = data[pos:] if lf < 0 else data[pos:lf + 1]
        if len(raw) > GO_MAX_TOKEN or (lf < 0 and len(raw) >= GO_MAX_TOKEN):
            raise ValueError('bufio.Scanner: token too long')
        pos = len(data) if lf < 0 else lf + 1
        line = raw[:-1] if raw.endswith(b'\n') else raw
        if line.endswith(b'\r'):
            line = line[:-1]
        lineno += 1
        text = line.decode('utf-8')  # invalid UTF-8 is an error in docker too
        if lineno == 1 and text.startswith('\ufeff'):
            text = text[1:]
        while text and text[0] in GO_SPACE:
            text = text[1:]
        if not text or text[0] == '#':
            continue
        key, sep, value = text.partition('=')
        if not key or ' ' in key or '\t' in key:
            raise ValueError(f'bad variable name on line {lineno}')
        if sep:
            out[key] = value
    return out


def as_text(variables):
    return {name: value.decode('utf-8') for name, value in variables}


# --- tests ---------------------------------------------------------------------

class FormatCase(unittest.TestCase):
    maxDiff = 2000

    def assertRefused(self, fmt, name, value, *why):
        """fmt refuses the variable: rc 1, the name in the message, never
        the value, nothing on stdout."""
        rc, out, err = render(fmt, [('BEFORE', b'ok'), (name, value)])
        self.assertEqual(rc, 1, f'{fmt} accepted {name}')
        self.assertEqual(out, b'')
        msg = err.decode(errors='replace')
        self.assertIn(f"'{name}'", msg)
        for w in why:
            self.assertIn(w, msg)
        if len(value) >= 3:
            self.assertNotIn(value, err)
        self.assertNotIn(b'::add-mask::', err)


class TestShell(FormatCase):
    SHELLS = [['sh'], ['dash'], ['bash'], ['bash', '--posix']]

    def check(self, variables):
        out, _ = render_ok(self, 'shell', variables)
        names = [n for n, _ in variables]
        for shell in self.SHELLS:
            if shutil.which(shell[0]) is None:
                self.skipTest(f'{shell[0]} not installed')
            seen, exported = run_shell(shell, out, names)
            for name, value in variables:
                with self.subTest(shell=' '.join(shell), name=name):
                    self.assertEqual(seen[name], value)
                    self.assertEqual(exported.get(name), value)

    def test_exact_output(self):
        out, _ = render_ok(self, 'shell', [('A', b"it's"), ('B', b''), ('C', b'$x\n')])
        self.assertEqual(out, b"export A='it'\\''s'\nexport B=''\nexport C='$x\n'\n")

    def test_fixed_values(self):
        self.check(FIXED)

    def test_random_utf8(self):
        for batch in batches(random_values('shell')):
            self.check(batch)

    def test_random_bytes(self):
        for batch in batches(random_byte_values('shell-bytes')):
            self.check(batch)

    def test_nul_refused(self):
        self.assertRefused('shell', 'WITH_NUL', b'sec\0ret', 'NUL')


class TestDotenv(FormatCase):
    def check(self, variables, **kwargs):
        out, _ = render_ok(self, 'dotenv', variables)
        got = read_dotenv(out, **kwargs)
        want = as_text(variables)
        for name in want:
            with self.subTest(name=name):
                self.assertEqual(got.get(name), want[name], out)
        self.assertEqual(set(got), set(want))

    def test_exact_output(self):
        out, _ = render_ok(self, 'dotenv', [
            ('A', b"it's"), ('B', b'a\\b'), ('C', b'\\\\'), ('D', b'x${HOME}$'),
            ('E', b'x\\'), ('F', b'a\r\n"b"\\'), ('G', b'')])
        self.assertEqual(out, (b"A='it\\'s'\n"
                               b"B='a\\b'\n"
                               b"C='\\\\\\${=:-}'\n"
                               b"D='x${=:-$}{HOME}${=:-$}'\n"
                               b"E='x\\${=:-}'\n"
                               b'F="a\\r\\n\\"b\\"\\\\${=:-}"\n'
                               b"G=''\n"))

    def test_fixed_values(self):
        self.check(FIXED)

    def test_each_value_alone(self):
        # a value's quoting must not depend on what follows it in the file
        for name, value in FIXED:
            self.check([(name, value)])
            self.check([(name, value), ('AFTER', b"'x'")])
            self.check([(name, value), ('AFTER', b'a"b\r')])

    def test_random_values(self):
        for batch in batches(random_values('dotenv')):
            self.check(batch)

    def test_hostile_environment(self):
        # the ${=:-$} escape must not depend on the reader's environment
        variables = FIXED + random_values('dotenv-env', 100)
        out, _ = render_ok(self, 'dotenv', variables)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, '.env')
            with open(path, 'wb') as f:
                f.write(out)
            code = ('import dotenv, json, sys\n'
                    'sys.stdout.write(json.dumps(dict(dotenv.dotenv_values(sys.argv[1]))))')
            env = {'PATH': os.environ.get('PATH', ''), 'HOME': '/evil', '_': 'evil',
                   '': 'evil', 'X': 'evil', 'ENVSSM_SURELY_UNSET': 'evil'}
            p = subprocess.run([sys.executable, '-c', code, path], capture_output=True,
                               env=env, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout), as_text(variables))

    def test_plain_values_need_no_interpolation(self):
        # without "${" or a final backslash the file reads the same either way
        plain = [(n, v) for n, v in FIXED + random_values('dotenv-plain')
                 if b'${' not in v and not v.endswith(b'\\')]
        self.check(plain, interpolate=False)

    def test_load_dotenv_sets_environment(self):
        variables = [(n, v) for n, v in FIXED if n not in ('EMPTY',)]
        out, _ = render_ok(self, 'dotenv', variables)
        saved = dict(os.environ)
        try:
            for name, _ in variables:
                os.environ.pop(name, None)
            dotenv.load_dotenv(stream=io.StringIO(out.decode(), newline=None))
            for name, value in variables:
                with self.subTest(name=name):
                    self.assertEqual(os.environ.get(name), value.decode())
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def test_refused(self):
        self.assertRefused('dotenv', 'BAD_UTF8', b'abc\xff\xfe', 'UTF-8')
        self.assertRefused('dotenv', 'SURROGATE', b'\xed\xa0\x80xyz', 'UTF-8')
        self.assertRefused('dotenv', 'WITH_NUL', b'sec\0ret', 'NUL')

    def test_node_dotenv(self):
        if NODE_DOTENV is None:
            self.skipTest('no --node-dotenv DIR')
        # node's dotenv decodes no escapes in single quotes, only \n and \r
        # in double quotes, and expands nothing: it reads back every value
        # that needs neither a backslash escape nor the ${=:-$} one
        def shared_value(v):
            if any(s in v for s in (b"'", b'${', b'\\\\', b'\\\'')) or v.endswith(b'\\'):
                return False
            return b'\r' not in v or (b'"' not in v and b'\\' not in v)
        shared = [(n, v) for n, v in FIXED + random_values('node') if shared_value(v)]
        self.assertGreater(len(shared), len(FIXED) // 2)
        out, _ = render_ok(self, 'dotenv', shared)
        code = ("const d=require('dotenv');const fs=require('fs');"
                "process.stdout.write(JSON.stringify(d.parse(fs.readFileSync(0))))")
        p = subprocess.run(['node', '-e', code], input=out, capture_output=True, timeout=60,
                           env=dict(os.environ, NODE_PATH=os.path.join(NODE_DOTENV, 'node_modules')))
        self.assertEqual(p.returncode, 0, p.stderr)
        got = json.loads(p.stdout)
        for name, value in as_text(shared).items():
            with self.subTest(name=name):
                self.assertEqual(got.get(name), value)


class TestJson(FormatCase):
    def check(self, variables):
        out, _ = render_ok(self, 'json', variables)
        self.assertTrue(out.endswith(b'}\n'))
        self.assertEqual(out.count(b'\n'), 1)
        self.assertFalse(any(c < 0x20 for c in out[:-1]), 'raw control byte')
        self.assertEqual(json.loads(out.decode('utf-8')), as_text(variables))

    def test_exact_output(self):
        out, _ = render_ok(self, 'json', [('A', b'"\\/\x01\n\x7f'), ('B', 'é'.encode())])
        self.assertEqual(out, '{"A":"\\"\\\\/\\u0001\\n\x7f","B":"é"}\n'.encode())
        out, _ = render_ok(self, 'json', [])
        self.assertEqual(out, b'{}\n')

    def test_fixed_values(self):
        self.check(FIXED)

    def test_random_values(self):
        for batch in batches(random_values('json')):
            self.check(batch)

    def test_nul_carried(self):
        self.check([('WITH_NUL', b'a\0b')])

    def test_refused(self):
        self.assertRefused('json', 'BAD_UTF8', b'abc\xc3(', 'UTF-8')
        self.assertRefused('json', 'OVERLONG', b'\xc0\xafxyz', 'UTF-8')


def seeded_delimiter(seed, attempt):
    digest = hashlib.sha256(seed.encode() + attempt.to_bytes(4, 'big')).hexdigest()
    return 'ghadelimiter_' + digest[:32]


class TestGithub(FormatCase):
    PRIOR = b'EARLIER=kept\nMULTI<<EOF\nfrom a\nprevious step\nEOF\n'

    def check(self, variables, *args):
        out, err = render_ok(self, 'github', variables, *args)
        got = github_env_read(self.PRIOR + out)
        want = as_text(variables)
        self.assertEqual(got.pop('EARLIER'), 'kept')
        self.assertEqual(got.pop('MULTI'), 'from a\nprevious step')
        for name in want:
            with self.subTest(name=name):
                self.assertEqual(got.get(name), want[name])
        self.assertEqual(set(got), set(want))
        masks, warnings, other = github_masks_read(err)
        self.assertEqual(other, [], 'a mask line was split')
        self.assertEqual(warnings, 0, 'a blank mask')
        for name, value in want.items():
            with self.subTest(mask=name):
                self.assertLessEqual(needed_masks(value), masks)
        pos = 0
        for name, value in variables:  # NAME<<DELIM, value, DELIM; DELIM not in value
            m = re.compile(rb'([A-Za-z_][A-Za-z0-9_]*)<<(ghadelimiter_[0-9a-f]{32})\n').match(
                out, pos)
            self.assertIsNotNone(m, out[pos:pos + 80])
            self.assertEqual(m.group(1), name.encode())
            delim = m.group(2)
            self.assertNotIn(delim, value)
            body = value + b'\n' + delim + b'\n'
            self.assertEqual(out[m.end():m.end() + len(body)], body)
            pos = m.end() + len(body)
        self.assertEqual(pos, len(out))
        return out, err

    def test_exact_output(self):
        d0, d1 = seeded_delimiter('t', 0), seeded_delimiter('t', 1)
        out, err = render_ok(self, 'github', [('A', b'x\r\ny%'), ('B', b'')], '--seed', 't')
        self.assertEqual(out.decode(), f'A<<{d0}\nx\r\ny%\n{d0}\nB<<{d1}\n\n{d1}\n')
        self.assertEqual(err, b'::add-mask::x%0D\n::add-mask::x\n::add-mask::y%25\n')

    def test_fixed_values(self):
        self.check(FIXED)

    def test_random_values(self):
        for batch in batches(random_values('github')):
            self.check(batch)

    def test_random_delimiters(self):
        out1, _ = self.check(FIXED[:5])
        out2, _ = self.check(FIXED[:5])
        self.assertNotEqual(out1, out2)

    def test_delimiter_in_value(self):
        # the value holds the first delimiter the seed gives, as a line and
        # inside one: the second must be used
        d0, d1 = seeded_delimiter('collide', 0), seeded_delimiter('collide', 1)
        value = f'a\n{d0}\nX=1\n{d0}x'.encode()
        out, _ = self.check([('VICTIM', value)], '--seed', 'collide')
        self.assertTrue(out.startswith(f'VICTIM<<{d1}\n'.encode()))

    def test_refused(self):
        self.assertRefused('github', 'NODE_OPTIONS', b'--require /tmp/x.js', 'runner')
        self.assertRefused('github', 'node_options', b'--require /tmp/x.js', 'runner')
        self.assertRefused('github', 'BAD_UTF8', b'abc\xff', 'UTF-8')
        self.assertRefused('github', 'WITH_NUL', b'sec\0ret', 'NUL')

    def test_append_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'github_env')
            with open(path, 'wb') as f:
                f.write(self.PRIOR)
            rc, _, err = render('github', FIXED, '--append', path)
            self.assertEqual(rc, 0, err)
            with open(path, 'rb') as f:
                got = github_env_read(f.read())
            self.assertEqual(got.pop('EARLIER'), 'kept')
            self.assertEqual(got.pop('MULTI'), 'from a\nprevious step')
            self.assertEqual(got, as_text(FIXED))


class TestDocker(FormatCase):
    def check(self, variables):
        out, _ = render_ok(self, 'docker', variables)
        self.assertEqual(docker_env_read(out), as_text(variables))

    def test_exact_output(self):
        out, _ = render_ok(self, 'docker', [('A', b' "q" # x '), ('B', b'')])
        self.assertEqual(out, b'A= "q" # x \nB=\n')

    def test_fixed_values(self):
        self.check([(n, v) for n, v in FIXED if b'\n' not in v and b'\r' not in v])

    def test_random_values(self):
        single = [(n, v) for n, v in random_values('docker', COUNT * 2)
                  if b'\n' not in v and b'\r' not in v]
        self.assertGreater(len(single), COUNT // 4)
        for batch in batches(single):
            self.check(batch)

    def test_longest_line(self):
        name = 'LONGEST'
        value = b'v' * (65535 - len(name) - 1)
        self.check([(name, value)])
        self.assertRefused('docker', name, value + b'v', '65535')
        with self.assertRaises(ValueError):
            docker_env_read(name.encode() + b'=' + value + b'v\n')

    def test_refused(self):
        self.assertRefused('docker', 'MULTILINE', b'line1\nline2', 'newline')
        self.assertRefused('docker', 'CARRIAGE', b'abc\r', 'carriage return')
        self.assertRefused('docker', 'WITH_NUL', b'sec\0ret', 'NUL')
        self.assertRefused('docker', 'BAD_UTF8', b'abc\xff', 'UTF-8')


class TestFiles(FormatCase):
    def test_write_mode_0600_whatever_the_umask(self):
        for umask in (0, 0o022, 0o277):
            with self.subTest(umask=oct(umask)), tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, 'out.env')
                with open(path, 'wb') as f:
                    f.write(b'old\n')
                os.chmod(path, 0o644)
                rc, _, err = render('dotenv', FIXED, '--write', path, umask=umask)
                self.assertEqual(rc, 0, err)
                self.assertEqual(stat.S_IMODE(os.lstat(path).st_mode), 0o600)
                with open(path, 'rb') as f:
                    self.assertEqual(read_dotenv(f.read()), as_text(FIXED))
                self.assertEqual(os.listdir(d), ['out.env'])

    def test_write_refuses_symlink_to_a_file(self):
        with tempfile.TemporaryDirectory() as d:
            target = os.path.join(d, 'target')
            with open(target, 'wb') as f:
                f.write(b'untouched')
            link = os.path.join(d, 'link')
            os.symlink(target, link)
            rc, _, err = render('json', FIXED[:3], '--write', link)
            self.assertEqual(rc, 1)
            self.assertIn(b"a symbolic link to a file", err)
            self.assertTrue(os.path.islink(link), 'the symlink was replaced')
            self.assertEqual(open(target, 'rb').read(), b'untouched')
            self.assertEqual(sorted(os.listdir(d)), ['link', 'target'])

    def test_write_failure_leaves_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            target = os.path.join(d, 'dir')
            os.mkdir(target)
            with open(os.path.join(target, 'inside'), 'wb') as f:
                f.write(b'x')
            rc, out, err = render('shell', FIXED, '--write', target)
            self.assertEqual(rc, 1)
            self.assertIn(b"unable to write '" + target.encode() + b"'", err)
            self.assertEqual(sorted(os.listdir(d)), ['dir'])
            self.assertEqual(os.listdir(target), ['inside'])
            for _, value in FIXED:
                if len(value) >= 4:
                    self.assertNotIn(value, err)

    def test_write_missing_directory(self):
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = render('shell', FIXED[:2], '--write', os.path.join(d, 'no', 'x'))
            self.assertEqual(rc, 1)
            self.assertIn(b'No such file or directory', err)
            self.assertEqual(os.listdir(d), [])


def format_parse_names():
    return ['shell', 'dotenv', 'json', 'github', 'docker']


class TestParse(FormatCase):
    def test_unknown_format(self):
        rc, _, err = render('yaml', [])
        self.assertEqual(rc, 1)
        self.assertIn(b"invalid format 'yaml'", err)

    def test_known_formats(self):
        for name in format_parse_names():
            rc, _, err = render(name, [('A', b'1')])
            self.assertEqual(rc, 0, err)


# --- running ------------------------------------------------------------------------

class Result(unittest.TextTestResult):
    """Counts tests, not subtests: a test fails if it or any subtest did."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = {}

    def _mark(self, test, what):
        if self.outcome.get(test.id()) != 'failed':
            self.outcome[test.id()] = what

    def addSuccess(self, test):
        super().addSuccess(test)
        self._mark(test, 'passed')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.outcome[test.id()] = 'failed'

    def addError(self, test, err):
        super().addError(test, err)
        self.outcome[test.id()] = 'failed'

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._mark(test, 'skipped')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.outcome[test.id()] = 'failed'


def main():
    global TOOL, SEED, COUNT, NODE_DOTENV
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tool', required=True, help='path to the built tests/format_tool.c')
    ap.add_argument('--seed', type=int, default=SEED)
    ap.add_argument('--count', type=int, default=COUNT, help='random values per format')
    ap.add_argument('--node-dotenv', default=os.environ.get('ENVSSM_NODE_DOTENV'),
                    help='directory holding node_modules/dotenv')
    ap.add_argument('-k', dest='pattern', help='run only tests whose id holds this')
    args = ap.parse_args()
    TOOL, SEED, COUNT = os.path.abspath(args.tool), args.seed, args.count
    NODE_DOTENV = args.node_dotenv

    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    if args.pattern:
        def walk(s):
            for t in s:
                if isinstance(t, unittest.TestSuite):
                    yield from walk(t)
                else:
                    yield t
        suite = unittest.TestSuite(t for t in walk(suite) if args.pattern in t.id())
    runner = unittest.TextTestRunner(resultclass=Result, verbosity=2, stream=sys.stdout)
    result = runner.run(suite)
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    for what in result.outcome.values():
        counts[what] += 1
    line = f"{counts['passed']} passed, {counts['failed']} failed"
    if counts['skipped']:
        line += f", {counts['skipped']} skipped"
    print(line)
    return 1 if counts['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
