#!/usr/bin/env bash
# Builds everything and runs every test; the last line is "N passed, N failed[, N skipped]".
# Exits non-zero if anything failed (or if the build did).
set -uo pipefail
cd "$(dirname "$0")"

results="TestResults/run-$$"
rm -rf "$results"
status=0

eng/install-test-deps.sh || status=1

if [ $status -eq 0 ]; then
  dotnet build Gateway.sln -c Release -warnaserror --nologo -v quiet || status=1
fi

if [ $status -eq 0 ]; then
  # One project at a time, the functional tests (real processes: gateways, nginx, redis-server, Chromium) last, so
  # that they do not share this machine's cores with the other suites. A test that hangs is reported and killed
  # instead of eating the CI budget.
  run_tests() { # project results-folder [environment...]
    local project=$1 folder=$2; shift 2
    env "$@" dotnet test "$project" -c Release --no-build --nologo \
      --logger "trx" --results-directory "$folder" \
      --blame-hang-timeout 5m || status=1
  }
  for project in tests/LegacyAdapters.Tests tests/VenueBackend.Tests tests/Interop.Tests tests/Gateway.Tests; do
    run_tests "$project" "$results"
  done
  # The gateway's behaviour suite once more on the Redis store: each test host on a redis-server of its own.
  run_tests tests/Gateway.Tests "$results/redis" ONSALE_TEST_STORE=Redis
  run_tests tests/FunctionalTests "$results"
  # None should be left (each ends with its test or its test run); if a test host died, none outlives the run either.
  cat /tmp/onsale-redis/*/redis.pid 2>/dev/null | xargs -r kill -9 2>/dev/null || true
fi

count() { # sums one attribute of <Counters> over every .trx file
  find "$results" -name '*.trx' -print0 2>/dev/null | xargs -0 -r grep -ho "<Counters [^>]*" \
    | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'
}
passed=$(count passed)
failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) ))
skipped=$(count notExecuted)

[ "$failed" -eq 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
