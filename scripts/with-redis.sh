#!/usr/bin/env bash
# Run a command with a throw-away redis-server for the RedisStore tests (loopback, stopped on
# exit): `bash scripts/with-redis.sh bash scripts/test-python.sh`. The `make test-<language>`
# targets use it so one language's suite runs its Redis tests too instead of skipping them.
source "$(dirname "$0")/common.sh"

step "redis-server for the RedisStore tests (loopback, stopped on exit)"
FINAUTH_TEST_REDIS_URL="$(bash scripts/redis-server.sh start)"
export FINAUTH_TEST_REDIS_URL
export FINAUTH_WITH_REDIS=1  # scripts/test.sh: already under this script
on_exit 'bash scripts/redis-server.sh stop "$FINAUTH_TEST_REDIS_URL"'
echo "$FINAUTH_TEST_REDIS_URL"
"$@"
