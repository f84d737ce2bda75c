"""The inside half of test_resolve.py: run as root in a new network namespace
(`unshare --net python3 netns_resolve.py < SPEC`), where loopback is the only
interface, so nothing started here can reach another host.

It brings loopback up, serves DNS on 127.0.0.1:53 (dnsfake) and SSM on a free
loopback port (fakessm, signatures checked), then runs, for each host name of
the spec, `chroot ROOT /envssm /app -- /envdump` with AWS_ENDPOINT_URL naming
that host. ROOT holds the static envssm, envdump, /etc/hosts and
/etc/resolv.conf and nothing else: no /etc/nsswitch.conf, no shared library,
no NSS module. Writes one JSON object on stdout:

    {"interfaces": [...], "runs": [{"host", "returncode", "stdout" (hex),
     "stderr"}...], "queries": [[name, type, transport]...], "ssm_requests": N}

SPEC (JSON on stdin): root, seed (a fakessm seed file), names (DNS name ->
address), hosts (host names to try, in order), env (the variables envssm
starts with, AWS_ENDPOINT_URL added here), access_key, secret_key.
"""

import json
import os
import shutil
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE)))

import dnsfake  # noqa: E402
import fakessm  # noqa: E402


def main():
    spec = json.load(sys.stdin)
    interfaces = [name for _, name in socket.if_nameindex()]
    if interfaces != ["lo"]:
        # not a fresh namespace: refuse rather than serve DNS on the machine's port 53
        print(json.dumps({"interfaces": interfaces}))
        return 1
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    dns = dnsfake.DNSFake(spec["names"], port=53).start()
    fake = fakessm.FakeSSM(seed=spec["seed"], access_key=spec["access_key"],
                           secret_key=spec["secret_key"]).start()
    # resolved here: the variables envssm gets have PATH=/
    chroot = shutil.which("chroot")
    runs = []
    try:
        for host in spec["hosts"]:
            env = dict(spec["env"])
            env["AWS_ENDPOINT_URL"] = "http://%s:%d" % (host, fake.port)
            try:
                p = subprocess.run([chroot, spec["root"], "/envssm", "/app", "--", "/envdump"],
                                   env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                   timeout=60)
                runs.append({"host": host, "returncode": p.returncode,
                             "stdout": p.stdout.hex(),
                             "stderr": p.stderr.decode("utf-8", "replace")})
            except subprocess.TimeoutExpired as e:
                runs.append({"host": host, "returncode": None, "stdout": "",
                             "stderr": "timed out: %s" % (e.stderr or b"").decode(
                                 "utf-8", "replace")})
        ssm_requests = fake.stats_dict()["requests"]
    finally:
        fake.stop()
        dns.stop()
    print(json.dumps({"interfaces": interfaces, "runs": runs,
                      "queries": dns.queries(), "ssm_requests": ssm_requests}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
