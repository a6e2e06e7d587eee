#!/usr/bin/env bash
# Availability read benchmark: the gateway's cached availability read against a bare ASP.NET Core endpoint returning
# the same bytes, side by side in one run on loopback, reported as ratios (this machine is shared and noisy; absolute
# numbers drift, ratios measured in the same run do not). Besides throughput and latency it reads each server's CPU
# time (utime + stime from /proc) around every wrk run: CPU per request moves far less than throughput when other work
# shares the machine. Optionally a previous build of the gateway runs beside this one as a third target
# (BASELINE_GATEWAY=/path/to/OnSale.Gateway.dll), to show what a change did. Rewrites the availability section of
# bench/results.md (between its markers; other sections stay). Takes about 3 minutes (4 with a baseline).
#   bench/run.sh [seconds-per-round] [rounds]
#   BASELINE_GATEWAY=../before/src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-15}
ROUNDS=${2:-3}
CONNECTIONS=64
THREADS=2
MOCK=http://127.0.0.1:5190
GATEWAY=http://127.0.0.1:5191
BASELINE=http://127.0.0.1:5192
BASELINE_MOCK=http://127.0.0.1:5193
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

declare -A url pid
export Logging__LogLevel__Default=Warning
dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$MOCK" > "$OUT/mock.log" 2>&1 & pids+=($!)
start_gateway() { # name dll address mock
  local data; data=$(mktemp -d)
  dotnet "$2" --urls "$3" --Gateway:Backend:Url="$4/VenueService.svc" --Gateway:DataPath="$data" > "$OUT/$1.log" 2>&1 &
  pids+=($!); pid[$1]=$!; url[$1]=$3
}
start_gateway gateway src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll "$GATEWAY" "$MOCK"
targets=(gateway bare)
if [ -n "${BASELINE_GATEWAY:-}" ]; then
  # A mock of its own, so that the backend calls counted below are this build's alone.
  dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$BASELINE_MOCK" > "$OUT/baseline-mock.log" 2>&1 & pids+=($!)
  start_gateway baseline "$BASELINE_GATEWAY" "$BASELINE" "$BASELINE_MOCK"
  targets+=(baseline)
fi

wait_for() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
wait_for "$MOCK/control/stats"
for t in "${targets[@]}"; do [ "$t" = bare ] || wait_for "${url[$t]}/readyz"; done
curl -fsS "$GATEWAY$PATH_UNDER_TEST" > "$OUT/availability.json"
dotnet bench/BareEndpoint/bin/Release/net10.0/OnSale.Bench.BareEndpoint.dll --urls "$BARE" --body "$OUT/availability.json" > "$OUT/bare.log" 2>&1 &
pids+=($!); pid[bare]=$!; url[bare]=$BARE
wait_for "$BARE$PATH_UNDER_TEST"

calls() { curl -fsS "$MOCK/control/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"]["GetAvailability"])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# One wrk run against a target; prints "requests_per_second p50_ms p99_ms total_requests cpu_us_per_request".
measure() {
  local before after
  before=$(cpu_ticks "${pid[$1]}")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency "${url[$1]}$PATH_UNDER_TEST" > "$OUT/wrk.txt"
  after=$(cpu_ticks "${pid[$1]}")
  read -r rps p50 p99 total < <(python3 bench/wrk_summary.py "$OUT/wrk.txt")
  echo "$rps $p50 $p99 $total $(python3 -c "print(f'{($after - $before) * 1e6 / $TICKS / $total:.1f}')")"
}

# Warm every target (JIT, connection pools), then rotate which goes first in each round.
for t in "${targets[@]}"; do wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "${url[$t]}$PATH_UNDER_TEST" >/dev/null; done

: > "$OUT/rounds.txt"
gateway_reads=0
calls_before=$(calls)
for round in $(seq 1 "$ROUNDS"); do
  order=("${targets[@]:$(( (round - 1) % ${#targets[@]} ))}" "${targets[@]:0:$(( (round - 1) % ${#targets[@]} ))}")
  for t in "${order[@]}"; do
    read -r rps p50 p99 total us < <(measure "$t")
    echo "$round $t $rps $p50 $p99 $total $us" >> "$OUT/rounds.txt"
    [ "$t" = gateway ] && gateway_reads=$((gateway_reads + total))
    echo "round $round: $t $rps req/s (p99 $p99 ms, $us µs CPU per request)"
  done
done
calls_after=$(calls)
backend_calls=$((calls_after - calls_before))

python3 - "$OUT/rounds.txt" "$backend_calls" "$gateway_reads" "$SECONDS_PER_ROUND" "$ROUNDS" "$CONNECTIONS" "$THREADS" "$PATH_UNDER_TEST" \
  "$(date -u +%Y-%m-%d)" "$(nproc)" > "$OUT/availability-section.md" <<'PY'
import statistics, sys
rounds_file, calls, reads, secs, rounds, conns, threads, path, day, cores = sys.argv[1:]
rows = {}
for line in open(rounds_file):
    r, t, rps, p50, p99, total, us = line.split()
    rows.setdefault(int(r), {})[t] = dict(rps=float(rps), p50=float(p50), p99=float(p99), us=float(us))
baseline = all("baseline" in v for v in rows.values())
med = lambda xs: statistics.median(xs)
print("## Cached availability read (`bench/run.sh`)\n")
print(f"Measured by `bench/run.sh` on {day} on this machine ({cores} cores, shared, loopback only), with wrk {threads} threads and")
print(f"{conns} connections, {rounds} rounds of {secs} s per target, the order rotating. The gateway runs in Release against the mock")
print("backend (SOAP), Embedded store, default settings (availability fresh for 2 s). The baseline is a bare ASP.NET Core")
print("endpoint (`bench/BareEndpoint`) returning the same bytes. CPU per request is each server's utime + stime over the run")
print("divided by the requests it answered. Absolute numbers drift on a shared machine; the ratios are measured side by side.")
if baseline:
    print("A previous build of the gateway (`BASELINE_GATEWAY`) ran beside this one as a third target.")
print(f"\n### `GET {path}`\n")
head = "| round | gateway req/s | bare req/s | ratio | gateway p50 ms | gateway p99 ms | bare p99 ms | gateway µs CPU/req | bare µs CPU/req |"
sep = "|---|---|---|---|---|---|---|---|---|"
if baseline:
    head += " previous req/s | gateway ÷ previous | previous µs CPU/req |"
    sep += "---|---|---|"
print(head); print(sep)
for r in sorted(rows):
    g, b = rows[r]["gateway"], rows[r]["bare"]
    line = f"| {r} | {g['rps']:.0f} | {b['rps']:.0f} | {g['rps']/b['rps']:.2f} | {g['p50']:.3f} | {g['p99']:.3f} | {b['p99']:.3f} | {g['us']:.1f} | {b['us']:.1f} |"
    if baseline:
        p = rows[r]["baseline"]
        line += f" {p['rps']:.0f} | {g['rps']/p['rps']:.2f} | {p['us']:.1f} |"
    print(line)
ratio = med([v["gateway"]["rps"] / v["bare"]["rps"] for v in rows.values()])
p99 = med([v["gateway"]["p99"] for v in rows.values()])
cpu = med([v["gateway"]["us"] / v["bare"]["us"] for v in rows.values()])
print(f"\n- **Throughput ratio (median): {ratio:.2f}** of the bare endpoint; **CPU per request: {cpu:.2f}×** the bare endpoint's.")
print(f"- **Gateway p99 (median of rounds): {p99:.2f} ms** at {conns} connections.")
if baseline:
    prev = med([v["gateway"]["rps"] / v["baseline"]["rps"] for v in rows.values()])
    prev_cpu = med([v["gateway"]["us"] / v["baseline"]["us"] for v in rows.values()])
    prev_ratio = med([v["baseline"]["rps"] / v["bare"]["rps"] for v in rows.values()])
    print(f"- **Against the previous build: {prev:.2f}× its throughput, {prev_cpu:.2f}× its CPU per request** (the previous build ran at {prev_ratio:.2f} of the bare endpoint).")
print(f"- **Backend calls per 10,000 reads: {int(calls) * 10000 / int(reads):.3f}** ({calls} GetAvailability calls for {reads} reads).")
PY
# Only this script's section of bench/results.md is rewritten; the waiting-room section (bench/waitingroom.sh) stays.
python3 bench/results_section.py availability "$OUT/availability-section.md"
tail -4 "$OUT/availability-section.md"
