"""Large and extreme inputs end to end: 10,000 parameters under one PATH (1,000
pages) all reach the program byte for byte, and a PATH at the service's depth
limit works while one past it is refused before any request."""

import os
import re
import shutil
import tempfile
import unittest

import faultlib
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


if __name__ == "__main__":
    unittest.main()
