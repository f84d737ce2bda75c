"""Name resolution in the static binary with no NSS at all.

The static envssm links glibc, whose getaddrinfo normally follows
/etc/nsswitch.conf and loads libnss_* modules. In a scratch or distroless
image there is neither. These tests run the binary chrooted into a directory
that holds only envssm, the program and /etc/hosts and /etc/resolv.conf,
inside a network namespace of its own (loopback only) with a DNS server on
127.0.0.1:53 (netns_resolve.py), and check that an endpoint host name is
found through each file, as every distribution's default `hosts: files dns`
does.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import releaselib  # noqa: E402

HOSTS_NAME = "ssm-hosts.envssm.test"
DNS_NAME = "ssm-dns.envssm.test"
MISSING_NAME = "ssm-missing.envssm.test"


def why_not():
    reason = releaselib.have_root_and("unshare", "chroot", "ip", "gcc")
    if reason:
        return reason
    p = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if p.returncode != 0:
        return "unshare --net failed: %s" % p.stderr.decode(errors="replace").strip()
    return None


@unittest.skipIf(why_not(), why_not())
class ResolveWithoutNSS(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="envssm-resolve-")
        cls.root = os.path.join(cls.tmp, "root")
        os.makedirs(os.path.join(cls.root, "etc"))
        with open(os.path.join(cls.root, "etc", "hosts"), "w") as f:
            f.write("127.0.0.1\tlocalhost\n127.0.0.1\t%s\n" % HOSTS_NAME)
        with open(os.path.join(cls.root, "etc", "resolv.conf"), "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:2\n")
        cls.seed = os.path.join(cls.tmp, "seed.json")
        cls.values = releaselib.seed_parameters(cls.seed)
        cls.akid, cls.secret = releaselib.credentials()
        cls.result = None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_inside(self):
        """Run netns_resolve.py once for all host names; cached for the class."""
        cls = type(self)
        if cls.result is not None:
            return cls.result
        binary = releaselib.require_static(self)
        shutil.copy(binary, os.path.join(self.root, "envssm"))
        releaselib.build_envdump(self.root)
        listing = sorted(os.path.relpath(os.path.join(d, f), self.root)
                         for d, _, files in os.walk(self.root) for f in files)
        self.assertEqual(listing, ["envdump", "envssm", "etc/hosts", "etc/resolv.conf"])
        env = {"PATH": "/", "HOME": "/", "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": self.akid,
               "AWS_SECRET_ACCESS_KEY": self.secret,
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
        spec = {"root": self.root, "seed": self.seed, "names": {DNS_NAME: "127.0.0.1"},
                "hosts": [HOSTS_NAME, DNS_NAME, MISSING_NAME], "env": env,
                "access_key": self.akid, "secret_key": self.secret}
        p = subprocess.run(["unshare", "--net", sys.executable,
                            os.path.join(HERE, "netns_resolve.py")],
                           input=json.dumps(spec).encode(), capture_output=True, timeout=300)
        err = p.stderr.decode(errors="replace")
        releaselib.assert_no_leaks(self, err, "the driver's stderr")
        self.assertEqual(p.returncode, 0, err + p.stdout.decode(errors="replace"))
        cls.result = json.loads(p.stdout)
        cls.result["env"] = env
        for run in cls.result["runs"]:
            releaselib.assert_no_leaks(self, run["stderr"], "envssm's stderr (%s)" % run["host"])
        return cls.result

    def run_for(self, host):
        for run in self.run_inside()["runs"]:
            if run["host"] == host:
                return run
        self.fail("no run for %s" % host)

    def queried(self, name):
        return [q for q in self.run_inside()["queries"] if q[0] == name]

    def assert_loaded(self, run):
        self.assertEqual(run["returncode"], 0, run["stderr"])
        self.assertEqual(run["stderr"], "")
        want = dict(self.run_inside()["env"])
        want.update(self.values)
        got = releaselib.parse_envdump(bytes.fromhex(run["stdout"]))
        # AWS_ENDPOINT_URL is the one variable the inside half adds
        self.assertTrue(got.pop("AWS_ENDPOINT_URL").startswith("http://%s:" % run["host"]))
        self.assertEqual(got, want)

    def test_isolated(self):
        self.assertEqual(self.run_inside()["interfaces"], ["lo"])

    def test_etc_hosts(self):
        """A name only /etc/hosts knows: found there, DNS never asked."""
        self.assert_loaded(self.run_for(HOSTS_NAME))
        self.assertEqual(self.queried(HOSTS_NAME), [],
                         "%s is in /etc/hosts, yet it was looked up in DNS" % HOSTS_NAME)

    def test_dns(self):
        """A name only DNS knows: asked of the nameserver in /etc/resolv.conf."""
        self.assert_loaded(self.run_for(DNS_NAME))
        self.assertIn(DNS_NAME, [q[0] for q in self.queried(DNS_NAME) if q[1] == "A"])

    def test_unknown_name(self):
        """NXDOMAIN: one line naming the host, status 125, nothing started."""
        run = self.run_for(MISSING_NAME)
        self.assertEqual(run["returncode"], 125, run["stderr"])
        self.assertEqual(run["stdout"], "")
        lines = run["stderr"].strip().splitlines()
        self.assertEqual(len(lines), 1, run["stderr"])
        self.assertIn(MISSING_NAME, lines[0])
        self.assertTrue(self.queried(MISSING_NAME))

    def test_every_request_reached_the_fake(self):
        # two successful runs; the unknown name never reaches the fake
        self.assertGreaterEqual(self.run_inside()["ssm_requests"], 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
