"""ssmmap: envssm's name mapping, for the Python peers of the benchmark.

A parameter's variable name is its path relative to the PATH that found it,
'/' turned into '_', every other byte outside [A-Za-z0-9_] turned into '_',
upper-cased, with '_' in front of a leading digit; fetched values override
inherited ones; two parameters with one name in a PATH are an error. Later
PATHs win over earlier ones.
"""
import os
import sys

_OK = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def var_name(name, path):
    path = "/" + path.strip("/") if path.strip("/") else "/"
    rel = name[len(path):] if path != "/" and name.startswith(path) else name
    rel = rel.lstrip("/").encode()
    out = bytes(c if c in _OK else 0x5F for c in rel).decode().upper()
    return "_" + out if out[:1].isdigit() else out


def map_params(path, params):
    out, src = {}, {}
    for p in params:
        v = var_name(p["Name"], path)
        if v in out:
            sys.exit("mapper: '%s' and '%s' both map to %s" % (src[v], p["Name"], v))
        out[v], src[v] = p["Value"], p["Name"]
    return out


def split_argv(argv):
    """PATH... -- COMMAND [ARG...] -> (paths, command)."""
    if "--" not in argv:
        sys.exit("usage: PATH... -- COMMAND [ARG...]")
    i = argv.index("--")
    if i == 0 or i + 1 >= len(argv):
        sys.exit("usage: PATH... -- COMMAND [ARG...]")
    return argv[:i], argv[i + 1:]


def become(command, mapped):
    env = dict(os.environ)
    env.update(mapped)
    sys.stdout.flush()
    try:
        os.execvpe(command[0], command, env)
    except OSError as e:
        sys.stderr.write("mapper: unable to exec %s: %s\n" % (command[0], e))
        os._exit(127)
