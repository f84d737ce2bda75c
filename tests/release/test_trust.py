"""Which CA certificates envssm trusts with no AWS_CA_BUNDLE: the same for the
dynamic and the static binary, on file systems laid out like each
distribution's (a private mount namespace hides the machine's own /etc/ssl
and /etc/pki, then puts the fake's CA where one distribution keeps it)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import fakessm  # noqa: E402

TRIPLET = subprocess.run(["gcc", "-dumpmachine"], capture_output=True, text=True).stdout.strip()
BINARIES = {"dynamic": os.path.join(ROOT, "envssm"),
            "static": os.path.join(ROOT, "build", "static-%s" % TRIPLET, "envssm")}
SECRET = "trust-Secret-%s" % os.urandom(6).hex()

# Runs inside `unshare --mount`: empty tmpfs over the CA locations, the CA
# copied to the one path under test, then envssm.
INNER = r'''
set -e
for d in /etc/ssl /etc/pki; do
	[ -d "$d" ] && mount -t tmpfs none "$d"
done
if [ -n "$CA_AT" ]; then
	mkdir -p "$(dirname "$CA_AT")"
	cp "$CA_SRC" "$CA_AT"
fi
exec "$@"
'''


def can_unshare():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode == 0


@unittest.skipUnless(can_unshare(), "needs root and unshare --mount")
class Trust(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="envssm-trust-")
        seed = os.path.join(cls.tmp, "seed.json")
        with open(seed, "w") as f:
            json.dump([{"Name": "/app/token", "Type": "SecureString", "Value": SECRET}], f)
        cls.log = open(os.path.join(cls.tmp, "fake.log"), "w")
        cls.fake = fakessm.FakeSSMProcess("--tls-dir", os.path.join(cls.tmp, "tls"),
                                          "--seed", seed, stderr=cls.log)
        cls.fake.start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_envssm(self, binary, ca_at=None, extra=None):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.tmp,
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": self.fake.url,
               "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "FAKESSMACCESSKEY0001",
               "AWS_SECRET_ACCESS_KEY": "fakessmSecretKey/EXAMPLE+0001",
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
               "CA_SRC": self.fake.ca, "CA_AT": ca_at or ""}
        env.update(extra or {})
        out = subprocess.run(["unshare", "--mount", "sh", "-c", INNER, "sh", binary,
                              "/app", "--", "/usr/bin/env"],
                             env=env, capture_output=True, text=True, timeout=60)
        self.assertNotIn(SECRET, out.stderr)
        return out

    def binaries(self):
        for kind, path in BINARIES.items():
            if not os.path.isfile(path):
                self.fail("%s binary missing: %s (make all static)" % (kind, path))
            yield kind, path

    def test_each_distribution_path(self):
        for kind, binary in self.binaries():
            for ca_at in ("/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu
                          "/etc/pki/tls/certs/ca-bundle.crt",    # Fedora, Amazon Linux
                          "/etc/ssl/ca-bundle.pem",              # SUSE
                          "/etc/ssl/cert.pem"):                  # Alpine
                with self.subTest(binary=kind, ca=ca_at):
                    out = self.run_envssm(binary, ca_at)
                    self.assertEqual(out.returncode, 0, out.stderr)
                    self.assertIn("TOKEN=" + SECRET + "\n", out.stdout)

    def test_ssl_cert_file(self):
        for kind, binary in self.binaries():
            with self.subTest(binary=kind):
                out = self.run_envssm(binary, extra={"SSL_CERT_FILE": self.fake.ca})
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertIn("TOKEN=" + SECRET + "\n", out.stdout)

    def test_none_found(self):
        for kind, binary in self.binaries():
            with self.subTest(binary=kind):
                out = self.run_envssm(binary)
                self.assertEqual(out.returncode, 125, out.stderr)
                lines = out.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, out.stderr)
                self.assertIn("no CA certificates found", lines[0])
                self.assertIn("/etc/ssl/cert.pem", lines[0])
                self.assertIn("AWS_CA_BUNDLE", lines[0])
                self.assertEqual(out.stdout, "")

    def test_wrong_ca_is_a_tls_failure(self):
        # a bundle that exists but does not hold the fake's issuer: found,
        # used, and the handshake fails (not silently trusted)
        other = os.path.join(self.tmp, "other.pem")
        if not os.path.exists(other):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", os.path.join(self.tmp, "other.key"), "-out", other,
                            "-days", "1", "-subj", "/CN=other"], check=True,
                           capture_output=True)
        for kind, binary in self.binaries():
            with self.subTest(binary=kind):
                out = self.run_envssm(binary, extra={"SSL_CERT_FILE": other})
                self.assertEqual(out.returncode, 125)
                self.assertIn("TLS", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
