"""The release artefacts: reproducible tarballs and the arm64 binary.

Run by `make check-release` after `make dist`. Needs the static binaries under
build/static-TRIPLET/ and build/dist/ from this checkout.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import fakessm  # noqa: E402

DIST = os.path.join(ROOT, "build", "dist")
ARM64 = os.path.join(ROOT, "build", "static-aarch64-linux-gnu", "envssm")
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


def version():
    with open(os.path.join(ROOT, "Makefile")) as f:
        for line in f:
            if line.startswith("VERSION"):
                return line.split("=", 1)[1].strip()
    raise AssertionError("no VERSION in the Makefile")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tree_is_clean():
    out = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                         capture_output=True, text=True)
    return out.returncode == 0 and out.stdout.strip() == ""


class Dist(unittest.TestCase):
    def tarball(self, arch):
        path = os.path.join(DIST, "envssm-%s-linux-%s.tar.gz" % (version(), arch))
        self.assertTrue(os.path.isfile(path), "make dist did not write %s" % path)
        return path

    def test_contents_and_sums(self):
        sums = {}
        with open(os.path.join(DIST, "SHA256SUMS")) as f:
            for line in f:
                digest, name = line.split()
                sums[name] = digest
        for arch, machine in (("amd64", "x86-64"), ("arm64", "aarch64")):
            path = self.tarball(arch)
            self.assertEqual(sums[os.path.basename(path)], sha256(path))
            top = "envssm-%s-linux-%s" % (version(), arch)
            with tarfile.open(path) as t:
                members = {m.name: m for m in t.getmembers()}
                self.assertEqual(sorted(members), sorted(
                    [top] + ["%s/%s" % (top, n) for n in ("LICENSE", "README.md",
                                                          "envssm", "envssm.1")]))
                binary = members[top + "/envssm"]
                self.assertEqual(binary.mode & 0o777, 0o755)
                self.assertEqual((binary.uid, binary.gid), (0, 0))
                data = t.extractfile(binary).read()
            # an ELF executable for the right machine, with no interpreter
            # (PT_INTERP) and so no shared libraries
            self.assertEqual(data[:4], b"\x7fELF")
            with tempfile.NamedTemporaryFile() as tmp:
                tmp.write(data)
                tmp.flush()
                info = subprocess.run(["file", "-b", tmp.name], capture_output=True,
                                      text=True).stdout
                heads = subprocess.run(["readelf", "-lW", tmp.name], capture_output=True,
                                       text=True).stdout
            self.assertIn(machine, info.replace("_", "-"))
            self.assertIn("statically linked", info)
            self.assertNotIn("INTERP", heads)
            self.assertLessEqual(len(data), 6 * 1024 * 1024, "stripped binary over 6 MiB")

    def test_reproducible_from_another_directory(self):
        """A second clone of the same commit, in a directory of another name and
        depth, built from nothing (its own Debian sources and libraries), gives
        the same tarball bytes."""
        if not tree_is_clean():
            self.skipTest("uncommitted changes: the tarball is not this commit's")
        with tempfile.TemporaryDirectory(prefix="envssm-repro-") as tmp:
            clone = os.path.join(tmp, "a", "different", "checkout")
            subprocess.run(["git", "clone", "-q", "--no-hardlinks", ROOT, clone], check=True)
            log = os.path.join(tmp, "build.log")
            with open(log, "w") as f:
                rc = subprocess.run(["make", "-C", clone, "dist",
                                     "DIST_TRIPLETS=x86_64-linux-gnu"],
                                    stdout=f, stderr=subprocess.STDOUT).returncode
            if rc != 0:
                with open(log) as f:
                    self.fail("make dist in the clone failed:\n" + f.read()[-3000:])
            name = "envssm-%s-linux-amd64.tar.gz" % version()
            self.assertEqual(sha256(os.path.join(clone, "build", "dist", name)),
                             sha256(self.tarball("amd64")),
                             "the same commit built in %s gave other bytes" % clone)


class Arm64(unittest.TestCase):
    """The arm64 binary under qemu-user, against the loopback fake over TLS."""

    def test_loads_and_execs_under_qemu(self):
        qemu = shutil.which("qemu-aarch64-static")
        if qemu is None:
            self.skipTest("qemu-aarch64-static is not installed (package qemu-user-static)")
        self.assertTrue(os.path.isfile(ARM64), "make dist did not build %s" % ARM64)
        with tempfile.TemporaryDirectory(prefix="envssm-arm64-") as tmp:
            seed = os.path.join(tmp, "seed.json")
            values = {"/app/db/password": "arm64-Secret-%s" % os.urandom(6).hex(),
                      "/app/region": "eu-west-1",
                      "/app/feature/flag": "on"}
            with open(seed, "w") as f:
                json.dump([{"Name": k, "Type": "SecureString", "Value": v}
                           for k, v in values.items()], f)
            err = open(os.path.join(tmp, "fake.log"), "w")
            fake = fakessm.FakeSSMProcess("--tls-dir", os.path.join(tmp, "tls"),
                                          "--seed", seed, stderr=err)
            fake.start()
            try:
                env = {"PATH": SAFE_PATH, "HOME": tmp,
                       "AWS_EC2_METADATA_DISABLED": "true",
                       "AWS_ENDPOINT_URL": fake.url, "AWS_CA_BUNDLE": fake.ca,
                       "AWS_REGION": "us-east-1",
                       "AWS_ACCESS_KEY_ID": "FAKESSMACCESSKEY0001",
                       "AWS_SECRET_ACCESS_KEY": "fakessmSecretKey/EXAMPLE+0001",
                       "AWS_CONFIG_FILE": os.path.join(tmp, "none"),
                       "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "none")}
                version_out = subprocess.run([qemu, ARM64, "--version"], env=env,
                                             capture_output=True, text=True, timeout=60)
                self.assertEqual(version_out.returncode, 0, version_out.stderr)
                self.assertIn("libcurl", version_out.stdout)
                # the program envssm becomes is the host's own env(1): qemu-user
                # hands an execve of a host binary to the kernel
                out = subprocess.run([qemu, ARM64, "/app", "--", "/usr/bin/env", "-0"],
                                     env=env, capture_output=True, timeout=60)
            finally:
                fake.stop()
                err.close()
            self.assertEqual(out.returncode, 0, out.stderr.decode(errors="replace"))
            got = dict(kv.split("=", 1) for kv in out.stdout.decode().split("\0") if kv)
            want = dict(env)
            want.update({"DB_PASSWORD": values["/app/db/password"], "REGION": "eu-west-1",
                         "FEATURE_FLAG": "on"})
            self.assertEqual(got, want)
            self.assertNotIn(values["/app/db/password"], out.stderr.decode(errors="replace"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
