"""A private Docker engine for the release tests, and the Debian base image.

    engine = Dockerd()          # its own data root, exec root, pidfile, socket
    engine.start()              # DockerUnavailable(reason) when it cannot run
    engine.docker("run", "--rm", "--network", "host", IMAGE, ...)
    engine.stop()               # containers removed, SIGTERM by PID, SIGKILL after 30 s

The daemon shares nothing with a Docker engine the machine may run: every
path it writes (data root, exec root, pidfile, socket, its own containerd) is
under one temporary directory, and it changes no firewall rule and creates no
bridge (--iptables=false --bridge=none), so containers run with --network
host. Storage is vfs: slow, but it needs no kernel support.

debian_base_tar() builds (once) build/docker-cache/debian-base.tar: a
`debootstrap --variant=minbase` Debian with python3 (python3-minimal has no
http.server), from the Debian mirror the machine's own apt sources name.
import_debian_base() loads it into an engine under the names given.
"""

import atexit
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.path.join(ROOT, "build", "docker-cache")
SUITE = "bookworm"
BASE_TAR = os.path.join(CACHE, "debian-base.tar")
BASE_PACKAGES = ("python3",)
# Left out of the tarball, as Debian's slim images leave them out: every
# container on vfs copies the whole file system, so fewer files start faster.
BASE_EXCLUDES = ("./dev/*", "./proc/*", "./sys/*", "./var/cache/apt/archives/*.deb",
                 "./var/lib/apt/lists/*_Packages", "./usr/share/doc/*", "./usr/share/man/*",
                 "./usr/share/info/*", "./usr/share/locale/*", "./usr/share/lintian/*",
                 "__pycache__")
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30


_running = []


@atexit.register
def _stop_all():
    """An interrupted run still stops the engines it started."""
    for engine in list(_running):
        engine.cleanup()


class DockerUnavailable(Exception):
    """The engine cannot run here (the message says why)."""


def why_no_docker():
    """None when a private engine can be tried here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "needs root to start a Docker engine"
    missing = [t for t in ("dockerd", "docker", "containerd", "runc") if shutil.which(t) is None]
    if missing:
        return "needs %s on PATH (package docker.io)" % ", ".join(missing)
    return None


# ---- the engine


class Dockerd:
    def __init__(self, parent=None):
        self.dir = tempfile.mkdtemp(prefix="envssm-dockerd-", dir=parent)
        self.data_root = os.path.join(self.dir, "data")
        self.exec_root = os.path.join(self.dir, "exec")
        self.pidfile = os.path.join(self.dir, "dockerd.pid")
        self.sock = os.path.join(self.dir, "docker.sock")
        self.log_path = os.path.join(self.dir, "dockerd.log")
        self.client_config = os.path.join(self.dir, "client")
        self.daemon_config = os.path.join(self.dir, "daemon.json")
        self.proc = None
        self.log = None
        self.containerd_pid = None

    # lifecycle

    def start(self):
        with open(self.daemon_config, "w") as f:
            f.write("{}\n")  # not the machine's /etc/docker/daemon.json
        os.makedirs(self.client_config, exist_ok=True)
        self.log = open(self.log_path, "ab")
        cmd = ["dockerd", "--storage-driver=vfs", "--iptables=false", "--ip6tables=false",
               "--ip-masq=false", "--ip-forward=false", "--bridge=none",
               "--data-root", self.data_root, "--exec-root", self.exec_root,
               "--pidfile", self.pidfile, "-H", "unix://" + self.sock,
               "--config-file", self.daemon_config]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _running.append(self)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                reason = "dockerd exited with status %s:\n%s" % (self.proc.returncode,
                                                                 self.log_tail())
                self.stop()
                raise DockerUnavailable(reason)
            if self.ping():
                self.containerd_pid = self.read_pid(
                    os.path.join(self.exec_root, "containerd", "containerd.pid"))
                return self
            time.sleep(0.2)
        reason = "dockerd was not ready within %d s:\n%s" % (START_TIMEOUT_S, self.log_tail())
        self.stop()
        raise DockerUnavailable(reason)

    def ping(self):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(self.sock)
                s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
                reply = s.recv(4096)
        except OSError:
            return False
        return reply.startswith(b"HTTP/1.") and reply.rstrip().endswith(b"OK")

    def stop(self):
        """Remove every container, stop dockerd (and its containerd) by PID,
        unmount what it left mounted and remove its directory."""
        if self.proc is not None and self.proc.poll() is None:
            ids = self.docker("ps", "-aq", timeout=30).stdout.split()
            if ids:
                self.docker("rm", "-f", *ids, timeout=120)
            self.terminate(self.proc.pid, self.proc)
        if self.containerd_pid is not None and self.ours(self.containerd_pid):
            # dockerd stops its containerd; this is for a dockerd that was killed
            self.terminate(self.containerd_pid)
        self.containerd_pid = None
        if self.log is not None:
            self.log.close()
            self.log = None
        self.unmount_all()

    def terminate(self, pid, proc=None):
        """SIGTERM, wait STOP_TIMEOUT_S, then SIGKILL: one process, by PID."""
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.alive(pid, proc):
                return
            time.sleep(0.1)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        if proc is not None:
            proc.wait(timeout=10)

    def ours(self, pid):
        """pid is still the containerd this engine started (not a reused PID)."""
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                return self.exec_root.encode() in f.read()
        except OSError:
            return False

    @staticmethod
    def alive(pid, proc):
        if proc is not None:
            return proc.poll() is None
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def unmount_all(self):
        """dockerd leaves its network namespace file mounted under exec root."""
        mounts = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                point = line.split()[4].replace("\\040", " ")
                if point == self.dir or point.startswith(self.dir + "/"):
                    mounts.append(point)
        for point in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in _running:
            _running.remove(self)

    @staticmethod
    def read_pid(path):
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    # use

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update({"DOCKER_HOST": "unix://" + self.sock, "DOCKER_CONFIG": self.client_config,
                    # the engine's own builder: BuildKit would fetch a frontend image
                    "DOCKER_BUILDKIT": "0"})
        return env

    def docker(self, *args, timeout=300, check=False, input=None, text=True):
        p = subprocess.run(["docker"] + list(args), env=self.env(), capture_output=True,
                           timeout=timeout, input=input, text=text)
        if check and p.returncode != 0:
            raise AssertionError("docker %s failed (%d):\n%s%s" % (
                " ".join(args[:3]), p.returncode, p.stdout, p.stderr))
        return p

    def build(self, context, tag, dockerfile=None, build_args=(), timeout=600):
        """docker build --network host; returns the CompletedProcess (check it)."""
        args = ["build", "--network", "host", "-t", tag]
        if dockerfile is not None:
            args += ["-f", dockerfile]
        for kv in build_args:
            args += ["--build-arg", kv]
        return self.docker(*(args + [context]), timeout=timeout)

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tail(self, n=30):
        return "\n".join(self.log_text().splitlines()[-n:])


# ---- the Debian base image


def debian_mirror(etc="/etc/apt"):
    """The Debian archive URI the machine's apt sources use for SUITE, or None.
    Reads deb822 .sources files and one-line sources.list entries."""
    for path in sorted(glob.glob(os.path.join(etc, "sources.list.d", "*.sources"))):
        with open(path) as f:
            stanzas = re.split(r"\n\s*\n", f.read())
        for stanza in stanzas:
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line or line[:1].isspace():
                    continue
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.split()
            if fields.get("enabled", ["yes"])[0].lower() == "no":
                continue
            if "deb" in fields.get("types", []) and SUITE in fields.get("suites", []):
                for uri in fields.get("uris", []):
                    if uri.startswith(("http://", "https://")):
                        return uri
    lists = [os.path.join(etc, "sources.list")]
    lists += sorted(glob.glob(os.path.join(etc, "sources.list.d", "*.list")))
    for path in lists:
        if not os.path.isfile(path):
            continue
        with open(path) as f:
            for line in f:
                words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
                if len(words) >= 3 and words[0] == "deb" and words[2] == SUITE \
                        and words[1].startswith(("http://", "https://")):
                    return words[1]
    return None


def debian_base_tar(log):
    """build/docker-cache/debian-base.tar, made with debootstrap when missing.
    Output goes to the file object log. Raises DockerUnavailable when it cannot
    be made (no debootstrap, no Debian mirror in the apt sources)."""
    stamp = BASE_TAR + ".packages"
    want = "%s %s %s\n" % (SUITE, ",".join(BASE_PACKAGES), ",".join(BASE_EXCLUDES))
    if os.path.isfile(BASE_TAR) and os.path.isfile(stamp):
        with open(stamp) as f:
            if f.read() == want:
                return BASE_TAR
    if shutil.which("debootstrap") is None:
        raise DockerUnavailable("needs debootstrap to make the Debian base image")
    mirror = debian_mirror()
    if mirror is None:
        raise DockerUnavailable("no apt source for Debian %s to debootstrap from" % SUITE)
    os.makedirs(CACHE, exist_ok=True)
    work = tempfile.mkdtemp(prefix="debootstrap-", dir=CACHE)
    try:
        rootfs = os.path.join(work, "rootfs")
        p = subprocess.run(["debootstrap", "--variant=minbase",
                            "--include=" + ",".join(BASE_PACKAGES), SUITE, rootfs, mirror],
                           stdout=log, stderr=subprocess.STDOUT, timeout=1200)
        if p.returncode != 0:
            raise AssertionError("debootstrap %s from %s failed with status %d (log: %s)"
                                 % (SUITE, mirror, p.returncode, getattr(log, "name", "")))
        tmp = os.path.join(work, "rootfs.tar")
        subprocess.run(["tar", "-C", rootfs, "--numeric-owner"]
                       + ["--exclude=" + x for x in BASE_EXCLUDES] + ["-cf", tmp, "."],
                       check=True, stdout=log, stderr=subprocess.STDOUT)
        os.replace(tmp, BASE_TAR)
        with open(stamp, "w") as f:
            f.write(want)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BASE_TAR


def import_debian_base(engine, tags, log):
    """docker import the base tarball under every name in tags."""
    tar = debian_base_tar(log)
    engine.docker("import", "--change",
                  "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "--change", 'CMD ["bash"]', tar, tags[0], timeout=600, check=True)
    for tag in tags[1:]:
        engine.docker("tag", tags[0], tag, check=True)
    return tags[0]
