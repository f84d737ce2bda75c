"""envssm in real containers, on a private Docker engine (dockerd.py).

Every container runs with --network host against a fake SSM on loopback
(HTTPS, its own CA, signatures checked with a random key pair passed by name
with `-e NAME`, so no key is on a command line). The program envssm becomes is
envdump.c built with gcc -static, which writes its environment NUL-separated.

- a FROM scratch image holding only the static envssm, envdump and the fake's
  CA at /etc/ssl/cert.pem: the exact environment arrives over verified TLS;
- examples/Dockerfile, built FROM a stand-in for distroless/static made here
  (there is no registry): passwd, /tmp and the CA bundle where distroless
  keeps it, nothing else; examples/Dockerfile.debian, FROM the Debian base
  image (its apt-get reaches the Debian mirror; about two minutes, skipped
  with ENVSSM_TEST_DOCKERFILE_DEBIAN=0);
- `docker stop` and `docker wait` against a Python HTTP server that envssm
  became, and the same server under --supervise;
- a wrong ENVSSM_ENV: status 125 and one line naming the path.

Every docker log, envssm's stderr and the engine's own log are searched for
the seeded secret values.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import dockerd  # noqa: E402
import releaselib  # noqa: E402
import fakessm  # noqa: E402  (releaselib put tests/ on the path)

ROOT = releaselib.ROOT
BASE = "envssm-test/debian-base:%s" % dockerd.SUITE
# the names the examples build FROM: Debian's served by the Debian base image
DEBIAN_NAMES = ["debian:%s" % dockerd.SUITE, "debian:%s-slim" % dockerd.SUITE]
DISTROLESS = "gcr.io/distroless/static-debian12"
DISTROLESS_FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/sbin/nologin\n"
                  "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    "etc/group": "root:x:0:\nnonroot:x:65532:\n",
}
CA_IN_CONTAINER = "/run/envssm-test/ca.pem"

# A server that stops on SIGTERM as servers written for containers do: as
# PID 1 a process gets no signal it has no handler for.
SERVER = ("import signal, sys, http.server as h\n"
          "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
          "h.test(HandlerClass=h.SimpleHTTPRequestHandler, port=int(sys.argv[1]),"
          " bind='127.0.0.1')\n")

STATE = {}


def setUpModule():
    why = dockerd.why_no_docker() or releaselib.have_root_and("gcc")
    if why:
        raise unittest.SkipTest(why)
    tmp = tempfile.mkdtemp(prefix="envssm-containers-")
    STATE["tmp"] = tmp
    engine = dockerd.Dockerd()
    try:
        engine.start()
    except dockerd.DockerUnavailable as e:
        engine.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
        raise unittest.SkipTest("the Docker engine did not start: %s" % e)
    STATE["engine"] = engine
    try:
        with open(os.path.join(tmp, "debootstrap.log"), "w") as log:
            dockerd.import_debian_base(engine, [BASE] + DEBIAN_NAMES, log)
        STATE["envdump"] = releaselib.build_envdump(tmp)
        values = {}
        seeds = []
        for prefix in ("/app", "/production/app"):
            seed = os.path.join(tmp, "seed%d.json" % len(seeds))
            values[prefix] = releaselib.seed_parameters(seed, prefix)
            seeds.append(seed)
        # what Dockerfile.debian's own CMD prints
        seed = os.path.join(tmp, "seed-debug.json")
        with open(seed, "w") as f:
            json.dump([{"Name": "/production/app/debug", "Type": "String", "Value": "false"}], f)
        seeds.append(seed)
        values["/production/app"]["DEBUG"] = "false"
        STATE["values"] = values
        akid, secret = releaselib.credentials()
        fake = fakessm.FakeSSM(tls_dir=os.path.join(tmp, "tls"), seed=seeds,
                               access_key=akid, secret_key=secret).start()
        STATE["fake"] = fake
        STATE["aws"] = {"AWS_ENDPOINT_URL": "https://127.0.0.1:%d" % fake.port,
                        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": akid,
                        "AWS_SECRET_ACCESS_KEY": secret, "AWS_EC2_METADATA_DISABLED": "true"}
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    fake = STATE.pop("fake", None)
    if fake is not None:
        fake.stop()
    engine = STATE.pop("engine", None)
    leaks = []
    if engine is not None:
        engine.stop()
        leaks = releaselib.motoserver.find_leaks(engine.log_text())
        engine.cleanup()
    shutil.rmtree(STATE.pop("tmp", ""), ignore_errors=True)
    if leaks:
        raise AssertionError("secret values in the Docker engine's log: %s" % leaks)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ContainerTest(unittest.TestCase):
    maxDiff = None

    @property
    def engine(self):
        return STATE["engine"]

    def tearDown(self):
        releaselib.assert_no_leaks(self, self.engine.log_text(), "the Docker engine's log")

    @staticmethod
    def context(files, dockerfile, text=None):
        """A temporary build context: {path in context: source file}, {path:
        text} and a Dockerfile. Files keep their modes."""
        ctx = tempfile.mkdtemp(prefix="ctx-", dir=STATE["tmp"])
        for name, src in files.items():
            os.makedirs(os.path.dirname(os.path.join(ctx, name)), exist_ok=True)
            shutil.copy(src, os.path.join(ctx, name))
        for name, content in (text or {}).items():
            os.makedirs(os.path.dirname(os.path.join(ctx, name)), exist_ok=True)
            with open(os.path.join(ctx, name), "w") as f:
                f.write(content)
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write(dockerfile)
        return ctx

    @staticmethod
    def build(context, tag, **kw):
        p = STATE["engine"].build(context, tag, **kw)
        if p.returncode != 0:
            raise AssertionError("docker build %s failed:\n%s%s"
                                 % (tag, p.stdout[-4000:], p.stderr[-4000:]))
        return p

    def docker_env(self, extra=None):
        env = dict(STATE["aws"])
        env.update(extra or {})
        return env

    def env_args(self, env):
        """-e NAME for each variable: values travel in docker's environment,
        not on its command line."""
        args = []
        for name in sorted(env):
            args += ["-e", name]
        return args

    def run_container(self, image, *cmd, env=None, args=(), timeout=120, rm=True):
        """docker run [--rm] --network host; stdout as bytes."""
        env = self.docker_env(env)
        p = subprocess.run(["docker", "run", "--network", "host"] + (["--rm"] if rm else [])
                           + list(args)
                           + self.env_args(env) + [image] + list(cmd),
                           env=dict(self.engine.env(), **env), capture_output=True,
                           timeout=timeout)
        releaselib.assert_no_leaks(self, p.stderr, "docker run %s: stderr" % image)
        return p

    def start_container(self, image, *cmd, env=None, args=()):
        """docker run -d; returns the container id."""
        env = self.docker_env(env)
        p = subprocess.run(["docker", "run", "-d", "--network", "host"] + list(args)
                           + self.env_args(env) + [image] + list(cmd),
                           env=dict(self.engine.env(), **env), capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        cid = p.stdout.strip()
        self.addCleanup(self.engine.docker, "rm", "-f", cid)
        return cid

    def logs(self, cid):
        p = self.engine.docker("logs", cid, text=False)
        text = (p.stdout + p.stderr).decode("utf-8", "replace")
        releaselib.assert_no_leaks(self, text, "docker logs")
        return text

    def inspect(self, cid):
        return json.loads(self.engine.docker("inspect", cid, check=True).stdout)[0]

    def assert_environment(self, baseline, run, values):
        """run (envssm then envdump) holds exactly baseline (envdump alone) plus values."""
        self.assertEqual(run.returncode, 0, run.stderr.decode(errors="replace"))
        self.assertEqual(run.stderr, b"", "envssm is quiet on success")
        self.assertEqual(baseline.returncode, 0, baseline.stderr.decode(errors="replace"))
        before = releaselib.parse_envdump(baseline.stdout)
        for name in values:
            self.assertNotIn(name, before)
        want = dict(before)
        want.update(values)
        self.assertEqual(releaselib.parse_envdump(run.stdout), want)


class ScratchImage(ContainerTest):
    """FROM scratch: the static envssm, the program and a CA bundle, nothing else."""

    @classmethod
    def setUpClass(cls):
        cls.image = "envssm-test/scratch"

    def test_exact_environment_over_tls(self):
        ctx = self.context(
            {"envssm": releaselib.static_binary(), "envdump": STATE["envdump"],
             "ca.pem": STATE["fake"].ca},
            "FROM scratch\n"
            "COPY envssm /envssm\n"
            "COPY envdump /envdump\n"
            "COPY ca.pem /etc/ssl/cert.pem\n"
            'ENTRYPOINT ["/envssm", "/app", "--"]\n'
            'CMD ["/envdump"]\n')
        self.build(ctx, self.image)
        self.assert_only_files(self.image, {"envssm", "envdump", "etc/ssl/cert.pem"})

        requests = STATE["fake"].stats_dict()["requests"]
        baseline = self.run_container(self.image, args=["--entrypoint", "/envdump"])
        run = self.run_container(self.image)
        self.assert_environment(baseline, run, STATE["values"]["/app"])
        self.assertNotIn("AWS_CA_BUNDLE", releaselib.parse_envdump(run.stdout))
        self.assertGreater(STATE["fake"].stats_dict()["requests"], requests,
                           "the fake saw no request")

    def assert_only_files(self, image, want):
        """The image's file system: exactly these files with content (the
        engine adds empty mount points: /etc/hosts, /dev, /proc, ...)."""
        cid = self.engine.docker("create", image, check=True).stdout.strip()
        self.addCleanup(self.engine.docker, "rm", "-f", cid)
        tar = os.path.join(STATE["tmp"], "export.tar")
        self.engine.docker("export", "-o", tar, cid, check=True)
        with tarfile.open(tar) as t:
            files = {m.name.lstrip("./") for m in t.getmembers() if m.isfile() and m.size > 0}
            names = {m.name.lstrip("./") for m in t.getmembers()}
        self.assertEqual(files, want)
        self.assertNotIn("etc/nsswitch.conf", names)
        self.assertFalse([n for n in names if n.startswith(("lib", "usr"))], names)


class ExampleDockerfile(ContainerTest):
    """examples/Dockerfile as a user builds it: from the repository root."""

    @classmethod
    def setUpClass(cls):
        cls.image = "envssm-test/example"
        cls.built = None
        # distroless/static's layout: the CA bundle (here the fake's) in
        # Debian's place, the nonroot user, /tmp; no shell, no libraries
        ctx = cls.context({"rootfs/etc/ssl/certs/ca-certificates.crt": STATE["fake"].ca},
                          "FROM scratch\n"
                          "COPY rootfs/ /\n"
                          "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
                          text=dict({"rootfs/tmp/.keep": ""},
                                    **{"rootfs/" + k: v for k, v in DISTROLESS_FILES.items()}))
        cls.build(ctx, DISTROLESS)

    def build_example(self):
        cls = type(self)
        if cls.built is None:
            static = os.path.join(ROOT, "build", "static-%s" % releaselib.TRIPLET, "envssm")
            self.assertTrue(os.path.isfile(static), "make static first: %s" % static)
            cls.built = self.build(ROOT, self.image,
                                   dockerfile=os.path.join(ROOT, "examples", "Dockerfile"),
                                   build_args=["TRIPLET=" + releaselib.TRIPLET])
        return cls.built

    def run_example(self, image, *cmd, env=None, ca=False):
        """An example's image with envdump mounted in (the examples hold no
        program), and with ca the fake's CA named by SSL_CERT_FILE."""
        env = dict(env or {})
        mounts = ["-v", "%s:/envdump:ro" % STATE["envdump"]]
        if ca:
            env["SSL_CERT_FILE"] = CA_IN_CONTAINER
            mounts += ["-v", "%s:%s:ro" % (STATE["fake"].ca, CA_IN_CONTAINER)]
        return self.run_container(image, *cmd, env=env, args=mounts)

    def test_context_is_small(self):
        out = self.build_example().stdout
        # "Sending build context to Docker daemon  5.5MB": .dockerignore keeps
        # build/deps and the rest of build/ out
        line = [ln for ln in out.splitlines() if "Sending build context" in ln]
        self.assertTrue(line, out)
        size = line[-1].split()[-1]
        self.assertTrue(size.endswith(("kB", "MB")) and not (
            size.endswith("MB") and float(size[:-2]) > 40), line[-1])

    def test_loads_with_envssm_env(self):
        self.build_example()
        config = self.inspect_image(self.image)
        self.assertEqual(config["Entrypoint"], ["envssm", "/app", "--"])
        self.assertEqual(config["User"], "65532:65532")
        env = {"ENVSSM_ENV": "production"}
        baseline = self.run_container(
            self.image, env=env,
            args=["--entrypoint", "/envdump", "-v", "%s:/envdump:ro" % STATE["envdump"]])
        run = self.run_example(self.image, "/envdump", env=env)
        self.assert_environment(baseline, run, STATE["values"]["/production/app"])
        self.assertNotIn("SSL_CERT_FILE", releaselib.parse_envdump(run.stdout))

    def test_wrong_envssm_env(self):
        """A wrong ENVSSM_ENV: 125, one line naming the path, nothing started."""
        self.build_example()
        run = self.run_example(self.image, "/envdump", env={"ENVSSM_ENV": "prodution"})
        self.assertEqual(run.returncode, 125, run.stderr)
        self.assertEqual(run.stdout, b"", "the program ran")
        lines = run.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("'/prodution/app'", lines[0])
        self.assertTrue(lines[0].startswith("envssm: "), lines[0])
        # the same through docker logs of a detached container
        cid = self.start_container(self.image, "/envdump", env={"ENVSSM_ENV": "prodution"},
                                   args=["-v", "%s:/envdump:ro" % STATE["envdump"]])
        status = self.engine.docker("wait", cid, timeout=120, check=True).stdout.strip()
        self.assertEqual(status, "125")
        logs = self.logs(cid).strip().splitlines()
        self.assertEqual(logs, lines)

    def test_dockerfile_debian(self):
        """examples/Dockerfile.debian: compiled in a Debian stage, run in a slim one."""
        if os.environ.get("ENVSSM_TEST_DOCKERFILE_DEBIAN") == "0":
            self.skipTest("ENVSSM_TEST_DOCKERFILE_DEBIAN=0: not building the image "
                          "that installs a compiler with apt")
        image = "envssm-test/example-debian"
        self.build(ROOT, image, dockerfile=os.path.join(ROOT, "examples", "Dockerfile.debian"),
                   timeout=1800)
        env = {"ENVSSM_ENV": "production"}
        baseline = self.run_container(
            image, env=dict(env, SSL_CERT_FILE=CA_IN_CONTAINER),
            args=["--entrypoint", "/envdump", "-v", "%s:/envdump:ro" % STATE["envdump"]])
        run = self.run_example(image, "/envdump", env=env, ca=True)
        self.assert_environment(baseline, run, STATE["values"]["/production/app"])
        # its own CMD, a shell, sees the variables too
        run = self.run_example(image, env=env, ca=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.decode(), "started with DEBUG=false\n")

    def inspect_image(self, image):
        return json.loads(self.engine.docker("image", "inspect", image,
                                             check=True).stdout)[0]["Config"]


class StopAndStatus(ContainerTest):
    """envssm as ENTRYPOINT of a Debian image with a real server as its program."""

    @classmethod
    def setUpClass(cls):
        cls.image = "envssm-test/server"
        cls.built = False

    def setUp(self):
        cls = type(self)
        if not cls.built:
            # the fake's CA where Debian's ca-certificates puts the bundle
            ctx = self.context(
                {"rootfs/usr/local/bin/envssm": releaselib.static_binary(),
                 "rootfs/usr/local/bin/envdump": STATE["envdump"],
                 "rootfs/etc/ssl/certs/ca-certificates.crt": STATE["fake"].ca},
                "FROM %s\n"
                "COPY rootfs/ /\n"
                'ENTRYPOINT ["envssm", "/app", "--"]\n' % BASE)
            self.build(ctx, self.image)
            cls.built = True

    def wait_for_http(self, cid, port, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=2) as r:
                    return r.status
            except OSError:
                state = self.inspect(cid)["State"]
                if not state["Running"]:
                    self.fail("the server exited with %s:\n%s" % (state["ExitCode"],
                                                                  self.logs(cid)))
                time.sleep(0.2)
        self.fail("the server did not answer within %d s:\n%s" % (timeout_s, self.logs(cid)))

    def process(self, cid):
        """(argv, environment) of the container's PID 1, read from the host."""
        pid = self.inspect(cid)["State"]["Pid"]
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().split(b"\0")[:-1]
        with open("/proc/%d/environ" % pid, "rb") as f:
            env = releaselib.parse_envdump(f.read())
        return [a.decode() for a in argv], env

    def stop(self, cid, timeout_s):
        start = time.monotonic()
        p = self.engine.docker("stop", "-t", str(timeout_s), cid, timeout=timeout_s + 60)
        elapsed = time.monotonic() - start
        self.assertEqual(p.returncode, 0, p.stderr)
        status = self.engine.docker("wait", cid, check=True).stdout.strip()
        return elapsed, int(status)

    def test_docker_stop_reaches_the_server(self):
        port = free_port()
        cid = self.start_container(self.image, "python3", "-c", SERVER, str(port))
        self.assertEqual(self.wait_for_http(cid, port), 200)
        argv, env = self.process(cid)
        # envssm became the server: PID 1 is python3, with the parameters
        self.assertEqual(argv[:2], ["python3", "-c"])
        for name, value in STATE["values"]["/app"].items():
            self.assertEqual(env.get(name), value, name)
        elapsed, status = self.stop(cid, 10)
        self.assertLess(elapsed, 5, "docker stop -t 10 took %.1f s" % elapsed)
        self.assertEqual(status, 0, "the server's own status after its SIGTERM handler")
        self.logs(cid)

    def test_supervise_for_a_program_without_a_handler(self):
        """`python3 -m http.server` has no SIGTERM handler: as PID 1 the signal
        is dropped and docker stop waits out its timeout, then SIGKILL (137).
        Under --supervise envssm is PID 1 and passes the signal on: 143 at once."""
        port = free_port()
        cid = self.start_container(self.image, "python3", "-m", "http.server", "--bind",
                                   "127.0.0.1", str(port))
        self.wait_for_http(cid, port)
        self.assertEqual(self.process(cid)[0][:3], ["python3", "-m", "http.server"])
        elapsed, status = self.stop(cid, 2)
        self.assertGreaterEqual(elapsed, 2)
        self.assertEqual(status, 137)

        port = free_port()
        cid = self.start_container(self.image, "--supervise", "/app", "--", "python3", "-m",
                                   "http.server", "--bind", "127.0.0.1", str(port),
                                   args=["--entrypoint", "envssm"])
        self.wait_for_http(cid, port)
        self.assertEqual(self.process(cid)[0][:2], ["envssm", "--supervise"])
        elapsed, status = self.stop(cid, 10)
        self.assertLess(elapsed, 5, "docker stop -t 10 took %.1f s" % elapsed)
        self.assertEqual(status, 128 + 15)
        self.logs(cid)

    def test_status_is_the_programs(self):
        name = "envssm-test-status-%d" % os.getpid()
        self.addCleanup(self.engine.docker, "rm", "-f", name)
        run = self.run_container(self.image, "python3", "-c", "import sys; sys.exit(7)",
                                 args=["--name", name], rm=False)
        self.assertEqual(run.returncode, 7, run.stderr)
        self.assertEqual(self.engine.docker("wait", name, check=True).stdout.strip(), "7")
        self.assertEqual(self.inspect(name)["State"]["ExitCode"], 7)


if __name__ == "__main__":
    unittest.main(verbosity=2)
