#!/bin/sh
# A local development session against LocalStack: put a few parameters, look
# at what envssm would load, then run a program with them.
#
#   docker run --rm -d -p 4566:4566 localstack/localstack
#   sh examples/localstack.sh                                # the dry run only
#   sh examples/localstack.sh python manage.py runserver     # ... then the program
#
# LocalStack accepts any key; test/test is the convention. Variables already set
# win, so the same script works against moto_server (AWS_ENDPOINT_URL=
# http://127.0.0.1:5000 and a key moto knows), which is how envssm's tests run it.
# Needs the aws CLI and envssm on PATH.
set -eu

: "${AWS_ENDPOINT_URL:=http://localhost:4566}"
: "${AWS_REGION:=${AWS_DEFAULT_REGION:-us-east-1}}"
: "${AWS_DEFAULT_REGION:=$AWS_REGION}"     # the aws CLI v1 reads only this one
: "${AWS_ACCESS_KEY_ID:=test}"
: "${AWS_SECRET_ACCESS_KEY:=test}"
export AWS_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

put() {
	aws ssm put-parameter --overwrite --name "$1" --type "$2" --value "$3" >/dev/null
}

put /dev/app/django/secret-key SecureString "dev-only-$(date +%s)"
put /dev/app/database-url SecureString "postgres://app:app@localhost:5432/app"
put /dev/app/debug String true

# Names, parameters, types and versions; never a value.
envssm --dry-run /dev/app

if [ "$#" -gt 0 ]; then
	exec envssm /dev/app -- "$@"
fi
