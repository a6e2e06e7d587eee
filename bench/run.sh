#!/usr/bin/env bash
# Availability read benchmark: the gateway's cached availability read against a bare ASP.NET Core endpoint returning
# the same bytes, side by side in one run on loopback, reported as ratios (this machine is shared and noisy; absolute
# numbers drift, ratios measured in the same run do not). Rewrites the availability section of bench/results.md
# (between its markers; other sections stay). Takes about 3 minutes.
#   bench/run.sh [seconds-per-round] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-15}
ROUNDS=${2:-3}
CONNECTIONS=64
THREADS=2
MOCK=http://127.0.0.1:5190
GATEWAY=http://127.0.0.1:5191
BARE=http://127.0.0.1:5198
PATH_UNDER_TEST=/api/v1/performances/1001/availability
OUT=bench/out
mkdir -p "$OUT"

command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq wrk >/dev/null; }

dotnet build mocks/VenueBackend -c Release --nologo -v quiet
dotnet build src/Gateway -c Release --nologo -v quiet
dotnet build bench/BareEndpoint -c Release --nologo -v quiet

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

export Logging__LogLevel__Default=Warning
dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$MOCK" > "$OUT/mock.log" 2>&1 & pids+=($!)
data=$(mktemp -d)
dotnet src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll --urls "$GATEWAY" \
  --Gateway:Backend:Url="$MOCK/VenueService.svc" --Gateway:DataPath="$data" > "$OUT/gateway.log" 2>&1 & pids+=($!)

wait_for() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
wait_for "$MOCK/control/stats"
wait_for "$GATEWAY/readyz"
curl -fsS "$GATEWAY$PATH_UNDER_TEST" > "$OUT/availability.json"
dotnet bench/BareEndpoint/bin/Release/net10.0/OnSale.Bench.BareEndpoint.dll --urls "$BARE" --body "$OUT/availability.json" > "$OUT/bare.log" 2>&1 & pids+=($!)
wait_for "$BARE$PATH_UNDER_TEST"

calls() { curl -fsS "$MOCK/control/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"]["GetAvailability"])'; }

# One wrk run; prints "requests_per_second p50_ms p99_ms total_requests".
measure() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency "$1$PATH_UNDER_TEST" > "$OUT/wrk.txt"
  python3 bench/wrk_summary.py "$OUT/wrk.txt"
}

# Warm both (JIT, connection pools), then alternate which goes first in each round.
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$GATEWAY$PATH_UNDER_TEST" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$BARE$PATH_UNDER_TEST" >/dev/null

rows=()
gateway_reads=0
calls_before=$(calls)
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order="gateway bare"; else order="bare gateway"; fi
  for target in $order; do
    if [ "$target" = gateway ]; then
      read -r g_rps g_p50 g_p99 g_total < <(measure "$GATEWAY"); gateway_reads=$((gateway_reads + g_total))
    else
      read -r b_rps b_p50 b_p99 b_total < <(measure "$BARE")
    fi
  done
  rows+=("| $round | $g_rps | $b_rps | $(python3 -c "print(f'{$g_rps/$b_rps:.2f}')") | $g_p50 | $g_p99 | $b_p99 |")
  echo "round $round: gateway $g_rps req/s (p99 $g_p99 ms), bare $b_rps req/s (p99 $b_p99 ms)"
done
calls_after=$(calls)
backend_calls=$((calls_after - calls_before))

summary=$(printf '%s\n' "${rows[@]}" | python3 -c '
import sys, statistics
rows = [r.strip("|").split("|") for r in sys.stdin.read().strip().splitlines()]
ratio = statistics.median(float(r[3]) for r in rows)
p99 = statistics.median(float(r[5]) for r in rows)
print(f"{ratio:.2f} {p99:.2f}")')
read -r median_ratio median_p99 <<< "$summary"
per_10k=$(python3 -c "print(f'{$backend_calls * 10000 / $gateway_reads:.3f}')")

cat > "$OUT/availability-section.md" <<MD
## Cached availability read (\`bench/run.sh\`)

Measured by \`bench/run.sh\` on $(date -u +%Y-%m-%d) on this machine ($(nproc) cores, shared, loopback only), with
wrk ${THREADS} threads and ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s per target, order
alternating. The gateway runs in Release against the mock backend (SOAP), Embedded store, default settings (availability
fresh for 2 s). The baseline is a bare ASP.NET Core endpoint (\`bench/BareEndpoint\`) returning the same bytes.
Absolute numbers drift on a shared machine; the ratio is measured side by side in the same run.

### \`GET $PATH_UNDER_TEST\`

| round | gateway req/s | bare req/s | ratio | gateway p50 ms | gateway p99 ms | bare p99 ms |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

- **Throughput ratio (median): ${median_ratio}** of the bare endpoint (goal ≥ 0.6).
- **Gateway p99 (median of rounds): ${median_p99} ms** at ${CONNECTIONS} connections (goal < 10 ms).
- **Backend calls per 10,000 reads: ${per_10k}** (${backend_calls} GetAvailability calls for ${gateway_reads} reads).
MD
# Only this script's section of bench/results.md is rewritten; the waiting-room section (bench/waitingroom.sh) stays.
python3 bench/results_section.py availability "$OUT/availability-section.md"
echo "results written to bench/results.md: ratio ${median_ratio}, p99 ${median_p99} ms, ${per_10k} backend calls per 10k reads"
