#!/usr/bin/env python3
"""mapper.py PATH -- COMMAND [ARG...]

Reads `aws ssm get-parameters-by-path --output json` from stdin, maps the
names like envssm and execs COMMAND with the result in its environment.
"""
import json
import sys

import ssmmap


def main():
    paths, command = ssmmap.split_argv(sys.argv[1:])
    doc = json.load(sys.stdin)
    ssmmap.become(command, ssmmap.map_params(paths[0], doc.get("Parameters", [])))


main()
