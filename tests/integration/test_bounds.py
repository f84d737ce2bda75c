"""Large and extreme inputs end to end: 10,000 parameters under one PATH (1,000
pages) all reach the program byte for byte, a PATH at the service's depth
limit works while one past it is refused before any request, and every file
envssm reads or appends to must be a regular file: a FIFO named by any variable
is refused at once, never waited on past the deadline."""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import faultlib
import motoserver
from fakessm import generated_value

N = 10000


class TestBounds(unittest.TestCase):
    def setUp(self):
        faultlib.require_binary()
        self.dir = tempfile.mkdtemp(prefix="envssm-bounds-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_ten_thousand_parameters(self):
        fake = faultlib.FakeSSM(generate=["/big:%d" % N])
        fake.start()
        self.addCleanup(fake.stop)
        env = faultlib.envssm_env(fake.url, self.dir)
        out = os.path.join(self.dir, "program")
        res = faultlib.run_envssm(["/big"], env, out, 120.0)
        self.assertEqual(res.rc, 0, res.describe())
        got = dict(res.program_pairs())
        names = sorted(n for n in got if re.fullmatch(rb"P[0-9]{4}", n))
        self.assertEqual(len(names), N, "not every parameter reached the program")
        # every value exactly as the fake generated it
        for i in range(N):
            name = "/big/p%04d" % i
            var = ("P%04d" % i).encode()
            self.assertEqual(got.get(var), generated_value(name, i).encode(), name)
        stats = fake.stats()
        self.assertEqual(stats["by_operation"].get("GetParametersByPath"), N // 10)

    def test_depth_limit(self):
        deep = "/" + "/".join("l%d" % i for i in range(14))  # 14 levels + the name = 15
        fake = faultlib.FakeSSM(seed=[{"Name": deep + "/leaf", "Type": "String",
                                        "Value": faultlib.secret_token("bounds deep")}])
        fake.start()
        self.addCleanup(fake.stop)
        env = faultlib.envssm_env(fake.url, self.dir)
        res = faultlib.run_envssm([deep], env, os.path.join(self.dir, "p1"), 30.0)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertIn(b"LEAF", dict(res.program_pairs()))
        too_deep = deep + "/l14/l15"
        before = fake.stats()["requests"]
        res = faultlib.run_envssm([too_deep], env, os.path.join(self.dir, "p2"), 30.0)
        self.assertEqual(res.rc, 125, res.describe())
        self.assertIn(b"more than 15 levels", res.err)
        self.assertFalse(res.ran)
        self.assertEqual(fake.stats()["requests"], before, "a refused PATH sent a request")


class TestOnlyRegularFiles(unittest.TestCase):
    """A FIFO (with no process at its other end) in place of each file envssm
    reads: exit 125 within a couple of seconds, one line naming the path."""

    LIMIT_S = 5.0

    def setUp(self):
        faultlib.require_binary()
        self.dir = tempfile.mkdtemp(prefix="envssm-fifo-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(self.fifo, 0o600)
        self.fake = faultlib.FakeSSM(seed=[{"Name": "/app/k", "Type": "String",
                                            "Value": faultlib.secret_token("fifo k")}])
        self.fake.start()
        self.addCleanup(self.fake.stop)

    def env(self, **extra):
        """The usual pinned environment plus extra; the variables that would
        leave loopback are allowed here only pointing at a FIFO or the fake."""
        env = faultlib.envssm_env(self.fake.url, self.dir)
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        motoserver.check_env_pinned(env)
        full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        self.assertTrue(full is None or full.startswith(self.fake.url + "/"), full)
        return env

    def refused(self, args, env, program=True):
        out = os.path.join(self.dir, "program")
        argv = (faultlib.envssm_argv(["--timeout", "30"] + args, out) if program
                else [faultlib.ENVSSM, "--timeout", "30"] + args)
        start = time.monotonic()
        p = subprocess.run(argv, env=env, cwd=self.dir, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=self.LIMIT_S)
        elapsed = time.monotonic() - start
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertFalse(os.path.exists(out), "the program ran")
        self.assertLess(elapsed, self.LIMIT_S / 2, "waited on the FIFO")
        lines = p.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn("'%s'" % self.fifo, lines[0])
        self.assertIn("not a regular file", lines[0])
        self.assertEqual(faultlib.output_leaks(p.stdout + p.stderr) if program
                         else faultlib.find_leaks(p.stderr), [])

    def test_config_file(self):
        self.refused(["/app"], self.env(AWS_CONFIG_FILE=self.fifo, AWS_ACCESS_KEY_ID=None,
                                        AWS_SECRET_ACCESS_KEY=None))

    def test_credentials_file(self):
        self.refused(["/app"], self.env(AWS_SHARED_CREDENTIALS_FILE=self.fifo,
                                        AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))

    def test_web_identity_token_file(self):
        self.refused(["/app"], self.env(AWS_WEB_IDENTITY_TOKEN_FILE=self.fifo,
                                        AWS_ROLE_ARN="arn:aws:iam::123456789012:role/r",
                                        AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))

    def test_container_authorization_token_file(self):
        self.refused(["/app"], self.env(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=self.fake.url + "/creds",
            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=self.fifo,
            AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))

    def test_sso_token_cache(self):
        start_url = "https://d-1.awsapps.com/start"
        cache = os.path.join(self.dir, ".aws", "sso", "cache")
        os.makedirs(cache)
        os.rename(self.fifo, os.path.join(
            cache, hashlib.sha1(start_url.encode()).hexdigest() + ".json"))
        self.fifo = os.path.join(cache, os.listdir(cache)[0])
        with open(os.path.join(self.dir, ".aws", "config"), "w") as f:
            f.write("[default]\nsso_start_url = %s\nsso_region = us-east-1\n"
                    "sso_account_id = 111122223333\nsso_role_name = Dev\n" % start_url)
        self.refused(["/app"], self.env(AWS_ENDPOINT_URL_SSO=self.fake.url,
                                        AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))

    def https_url(self):
        """The fake over https: the connection is made, then the CA bundle
        would be read (the fake never gets as far as a TLS answer)."""
        return self.fake.url.replace("http://", "https://", 1)

    def test_ca_bundle(self):
        self.refused(["/app"], self.env(AWS_ENDPOINT_URL=self.https_url(),
                                        AWS_CA_BUNDLE=self.fifo))

    def test_profile_ca_bundle(self):
        env = self.env(AWS_ENDPOINT_URL=self.https_url())
        with open(env["AWS_CONFIG_FILE"], "w") as f:
            f.write("[default]\nca_bundle = %s\n" % self.fifo)
        self.refused(["/app"], env)

    def test_github_env(self):
        self.refused(["--format", "github", "/app"], self.env(GITHUB_ENV=self.fifo),
                     program=False)
        # nor with a process reading at the other end
        fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            self.refused(["--format", "github", "/app"], self.env(GITHUB_ENV=self.fifo),
                         program=False)
            self.assertEqual(os.read(fd, 100), b"", "a value went into the FIFO")
        finally:
            os.close(fd)


if __name__ == "__main__":
    unittest.main()
