#!/usr/bin/env python3
"""sigv4_botocore.py - envssm's SigV4 signer against botocore's SigV4Auth.

Usage: python3 tests/sigv4_botocore.py PATH/TO/sigv4_tool [--seed N] [--count N]

Builds randomised SSM-shaped requests from a fixed seed, signs each one with
botocore.auth.SigV4Auth (the clock pinned per request), feeds them all to the
C test tool in one process and compares the Authorization values exactly.
The last line is "N passed, N failed"; the exit status is 1 on any mismatch
or when fewer than MIN_COMPARED requests were compared.

The tool is given the headers envssm itself signs: Host (lower case, the
port only when it is not the scheme's default), X-Amz-Date, Content-Type,
X-Amz-Target and X-Amz-Security-Token when there is a token. botocore works
Host out from the URL and adds the date and token headers itself, so those
rules are checked too, not copied.
"""

import argparse
import base64
import datetime
import json
import random
import string
import subprocess
import sys
from unittest import mock
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MIN_COMPARED = 200
DEFAULT_SEED = 20240115
DEFAULT_COUNT = 400
CONTENT_TYPE = 'application/x-amz-json-1.1'

REGIONS = [
    'us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1',
    'eu-north-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-south-1',
    'sa-east-1', 'ca-central-1', 'me-south-1', 'af-south-1', 'il-central-1',
    'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1',
]
OPERATIONS = [
    'GetParametersByPath', 'GetParameters', 'GetParameter',
    'DescribeParameters', 'GetParameterHistory', 'PutParameter',
    'DeleteParameter', 'ListTagsForResource',
]
# Characters for parameter names and values: ASCII, JSON's awkward ones,
# and multi-byte UTF-8 (2, 3 and 4 bytes).
TEXT_CHARS = (string.ascii_letters + string.digits + '/_.-' + '"\\\n\t\r '
              + '\u00e9\u00df\u65e5\u672c\u20ac\U0001f511\u0000\u2028')
# Characters for a custom endpoint path (no '?', '#' or control bytes).
PATH_CHARS = (string.ascii_letters + string.digits + "-._~ %!$&'()*+,;=:@"
              + '\u00e9\u65e5\U0001f511')


def rand_text(rng, lo, hi, chars=TEXT_CHARS):
    return ''.join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))


def rand_param_path(rng):
    parts = [rand_text(rng, 1, 12) for _ in range(rng.randint(0, 5))]
    return '/' + '/'.join(parts)


def rand_body(rng, operation):
    """A JSON body of the operation's shape, serialised one of several ways."""
    if rng.random() < 0.04:
        return b''
    if operation == 'GetParametersByPath':
        doc = {'Path': rand_param_path(rng), 'Recursive': rng.random() < 0.5,
               'WithDecryption': rng.random() < 0.5,
               'MaxResults': rng.randint(1, 10)}
        if rng.random() < 0.4:
            doc['NextToken'] = rand_text(rng, 20, 200, string.ascii_letters + '+/=')
        if rng.random() < 0.3:
            doc['ParameterFilters'] = [{'Key': 'Label', 'Option': 'Equals',
                                        'Values': [rand_text(rng, 1, 20)]}]
    elif operation == 'GetParameters':
        doc = {'Names': [rand_param_path(rng) for _ in range(rng.randint(1, 10))],
               'WithDecryption': rng.random() < 0.5}
    elif operation == 'GetParameter':
        doc = {'Name': rand_param_path(rng), 'WithDecryption': rng.random() < 0.5}
    elif operation == 'PutParameter':
        doc = {'Name': rand_param_path(rng), 'Value': rand_text(rng, 0, 300),
               'Type': rng.choice(['String', 'StringList', 'SecureString']),
               'Overwrite': True}
    else:
        doc = {'MaxResults': rng.randint(1, 50)}
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5,
                      separators=rng.choice([(',', ':'), (', ', ': ')])).encode('utf-8')


def rand_endpoint(rng, region):
    """(scheme, host, port or None); port may be the scheme's default."""
    suffix = 'amazonaws.com.cn' if region.startswith('cn-') else 'amazonaws.com'
    aws = f'ssm.{region}.{suffix}'
    return rng.choice([
        ('https', aws, None), ('https', aws, None), ('https', aws, None),
        ('https', aws, 443), ('https', aws.upper(), None),
        ('https', f'ssm-fips.{region}.{suffix}', 8443),
        ('http', '127.0.0.1', 4566), ('http', 'localhost', 4566),
        ('http', 'localhost', 80), ('http', 'localstack', 4566),
        ('http', '[::1]', 4566), ('http', '10.0.0.7', 5000),
    ])


def host_header(scheme, host, port):
    """What envssm sends as Host: lower case, the port unless default."""
    default = {'http': 80, 'https': 443}[scheme]
    host = host.lower()
    return host if port is None or port == default else f'{host}:{port}'


def rand_path(rng):
    """Mostly '/', sometimes a custom endpoint path with dot segments,
    doubled slashes, reserved characters, '%' and UTF-8."""
    if rng.random() < 0.8:
        return '/'
    segs = []
    for _ in range(rng.randint(0, 6)):
        segs.append(rng.choice(['', '.', '..', rand_text(rng, 1, 8, PATH_CHARS)]))
    path = '/' + '/'.join(segs)
    return path + '/' if rng.random() < 0.3 else path


def rand_query(rng):
    """None, or a query already encoded the canonical way: botocore signs
    the query of a URL verbatim, so only canonical input is comparable."""
    if rng.random() < 0.9:
        return None
    pairs = []
    for _ in range(rng.randint(1, 5)):
        key = quote(rand_text(rng, 1, 6, PATH_CHARS), safe='-_.~')
        if rng.random() < 0.15:
            pairs.append(key)
        else:
            pairs.append(key + '=' + quote(rand_text(rng, 0, 6, PATH_CHARS), safe='-_.~'))
    return '&'.join(pairs)


def rand_extra_headers(rng):
    """Occasional extra signed headers: mixed-case names, runs of blanks,
    repeated names (joined with ',')."""
    extra = []
    if rng.random() < 0.25:
        words = [rand_text(rng, 1, 6, string.ascii_letters) for _ in range(rng.randint(1, 4))]
        blanks = lambda: ''.join(rng.choice(' \t') for _ in range(rng.randint(1, 3)))
        value = blanks() + blanks().join(words) + blanks()
        extra.append(('X-Envssm-Test', value))
    if rng.random() < 0.15:
        extra.append(('X-Envssm-Repeat', 'first'))
        extra.append(('x-envssm-repeat', rand_text(rng, 1, 8, string.ascii_letters)))
    return extra


def rand_credentials(rng):
    upper = string.ascii_uppercase + string.digits
    akid = rng.choice(['AKIA', 'ASIA']) + ''.join(rng.choice(upper) for _ in range(16))
    secret = ''.join(rng.choice(string.ascii_letters + string.digits + '/+') for _ in range(40))
    token = None
    if rng.random() < 0.5:
        token = rand_text(rng, 16, 1200, string.ascii_letters + string.digits + '/+=')
    return akid, secret, token


def rand_time(rng):
    start = datetime.datetime(1970, 1, 1)
    span = int((datetime.datetime(2099, 12, 31, 23, 59, 59) - start).total_seconds())
    return start + datetime.timedelta(seconds=rng.randint(0, span))


def make_case(rng):
    region = rng.choice(REGIONS)
    operation = rng.choice(OPERATIONS)
    target = 'AmazonSSM.' + (operation if rng.random() < 0.9 else rng.choice(OPERATIONS))
    scheme, host, port = rand_endpoint(rng, region)
    path, query = rand_path(rng), rand_query(rng)
    akid, secret, token = rand_credentials(rng)
    return {
        'region': region, 'target': target, 'scheme': scheme, 'host': host,
        'port': port, 'path': path, 'query': query, 'akid': akid,
        'secret': secret, 'token': token, 'when': rand_time(rng),
        'body': rand_body(rng, operation), 'extra': rand_extra_headers(rng),
        'method': 'POST' if rng.random() < 0.95 else 'GET',
    }


def url_of(case):
    netloc = case['host'] if case['port'] is None else f"{case['host']}:{case['port']}"
    url = f"{case['scheme']}://{netloc}{case['path']}"
    return url + '?' + case['query'] if case['query'] is not None else url


def botocore_authorization(case):
    """Sign with botocore, its clock pinned to the case's time."""
    req = AWSRequest(method=case['method'], url=url_of(case), data=case['body'])
    req.headers['Content-Type'] = CONTENT_TYPE
    req.headers['X-Amz-Target'] = case['target']
    req.headers['User-Agent'] = 'botocore-comparison'  # never signed
    for name, value in case['extra']:
        req.headers[name] = value  # HTTPHeaders appends: repeats are kept
    creds = Credentials(case['akid'], case['secret'], case['token'])
    auth = botocore.auth.SigV4Auth(creds, 'ssm', case['region'])
    with mock.patch('botocore.auth.get_current_datetime', return_value=case['when']):
        auth.add_auth(req)
    amz_date = case['when'].strftime('%Y%m%dT%H%M%SZ')
    if req.headers['X-Amz-Date'] != amz_date:
        raise SystemExit(f'botocore clock not pinned: {req.headers["X-Amz-Date"]} != {amz_date}')
    return req.headers['Authorization']


def tool_line(case):
    """The tool's input: the headers envssm would sign."""
    amz_date = case['when'].strftime('%Y%m%dT%H%M%SZ')
    headers = [['Host', host_header(case['scheme'], case['host'], case['port'])],
               ['X-Amz-Date', amz_date], ['Content-Type', CONTENT_TYPE],
               ['X-Amz-Target', case['target']]]
    if case['token'] is not None:
        headers.append(['X-Amz-Security-Token', case['token']])
    headers.extend([name, value] for name, value in case['extra'])
    line = {'method': case['method'], 'path': case['path'], 'headers': headers,
            'body_b64': base64.b64encode(case['body']).decode('ascii'),
            'access_key': case['akid'], 'secret_key': case['secret'],
            'region': case['region'], 'service': 'ssm', 'amz_date': amz_date}
    if case['query'] is not None:
        line['query'] = case['query']
    return json.dumps(line)


def coverage(cases):
    """One line saying what the cases exercised, so a weakened generator shows."""
    def count(pred):
        return sum(1 for c in cases if pred(c))
    return ('covered: %d with token, %d with a non-default port, %d custom paths, '
            '%d queries, %d extra headers, %d empty bodies, %d non-ASCII bodies, '
            '%d regions, %d years' % (
                count(lambda c: c['token'] is not None),
                count(lambda c: c['port'] not in (None, 80, 443)),
                count(lambda c: c['path'] != '/'),
                count(lambda c: c['query'] is not None),
                count(lambda c: bool(c['extra'])),
                count(lambda c: not c['body']),
                count(lambda c: any(b >= 0x80 for b in c['body'])),
                len({c['region'] for c in cases}),
                len({c['when'].year for c in cases})))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('tool', help='path to the built sigv4_tool')
    ap.add_argument('--seed', type=int, default=DEFAULT_SEED)
    ap.add_argument('--count', type=int, default=DEFAULT_COUNT)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    cases = [make_case(rng) for _ in range(args.count)]
    expected = [botocore_authorization(c) for c in cases]
    stdin = ''.join(tool_line(c) + '\n' for c in cases)
    proc = subprocess.run([args.tool], input=stdin.encode('utf-8'),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    got = proc.stdout.decode('utf-8', 'replace').splitlines()
    if len(got) != len(cases):
        print(f'error: the tool printed {len(got)} lines for {len(cases)} requests '
              f'(exit {proc.returncode}): {proc.stderr.decode(errors="replace")[:500]}')

    passed = failed = 0
    for i, case in enumerate(cases):
        ours = got[i] if i < len(got) else '(no output)'
        if ours == expected[i]:
            passed += 1
            continue
        failed += 1
        if failed <= 10:
            print(f'mismatch #{i} (seed {args.seed}): {case["method"]} {url_of(case)!r} '
                  f'region {case["region"]} token {case["token"] is not None}\n'
                  f'  botocore: {expected[i]}\n  envssm:   {ours}')
    compared = passed + failed
    print(coverage(cases))
    if compared < MIN_COMPARED:
        print(f'error: only {compared} requests compared, need at least {MIN_COMPARED}')
    if proc.returncode != 0 and failed == 0:
        print(f'error: the tool exited {proc.returncode}')
        failed += 1
    print(f'{passed} passed, {failed} failed')
    return 1 if failed or compared < MIN_COMPARED else 0


if __name__ == '__main__':
    sys.exit(main())
