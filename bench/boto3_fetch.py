#!/usr/bin/env python3
"""boto3_fetch.py PATH... -- COMMAND [ARG...]

What a team writes instead of envssm: boto3's GetParametersByPath paginator
(recursive, decrypted, 10 a page as envssm asks), PATHs one after the other,
names mapped like envssm, then exec COMMAND.
"""
import sys

import boto3

import ssmmap


def main():
    paths, command = ssmmap.split_argv(sys.argv[1:])
    ssm = boto3.client("ssm")
    pages = ssm.get_paginator("get_parameters_by_path")
    merged = {}
    for path in paths:
        params = []
        for page in pages.paginate(Path=path, Recursive=True, WithDecryption=True,
                                   PaginationConfig={"PageSize": 10}):
            params.extend(page.get("Parameters", []))
        merged.update(ssmmap.map_params(path, params))
    ssmmap.become(command, merged)


main()
