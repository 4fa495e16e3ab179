#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: Debian's docker-compose (v1.29, Python)
# parses the file, checks it against the Compose schema and interpolates variables, and
# `config -q` prints nothing when all is well. NEO4J_PASSWORD is required by the file (`:?`), so a
# dummy value is given here; the check that it is required is part of this script too.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "validate-compose: docker-compose is not installed and this is not root;" >&2
    echo "  install it with: sudo apt-get install -y docker-compose" >&2
    exit 2
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "validate-compose: docker-compose is not installed and apt-get is not available" >&2
    exit 2
  fi
  echo "validate-compose: installing docker-compose (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# docker-compose reads a .env in the work tree; give it an empty one instead, so the result is the
# same on every machine. (It refuses /dev/null: "is not a file".)
empty_env="$(mktemp)"
trap 'rm -f "$empty_env"' EXIT
compose() { docker-compose --env-file "$empty_env" -f docker-compose.yml "$@"; }

echo "validate-compose: docker-compose $(docker-compose version --short) config -q"
NEO4J_PASSWORD=ci-dummy MATCH_KEY_SECRET=ci-dummy-secret-0123456789 compose config -q

# Without NEO4J_PASSWORD the file must refuse to render, rather than start Neo4j without a password.
if (unset NEO4J_PASSWORD && MATCH_KEY_SECRET=ci-dummy-secret-0123456789 compose config -q 2>/dev/null); then
  echo "validate-compose: docker-compose.yml rendered without NEO4J_PASSWORD; it must be required" >&2
  exit 1
fi
if (unset MATCH_KEY_SECRET && NEO4J_PASSWORD=ci-dummy compose config -q 2>/dev/null); then
  echo "validate-compose: docker-compose.yml rendered without MATCH_KEY_SECRET; it must be required" >&2
  exit 1
fi

echo "validate-compose: docker-compose.yml is valid"
