#!/usr/bin/env bash
# Waiting-room benchmark (issue 4), on loopback only, in three parts:
#   1. joins/s and status checks/s side by side with the cached availability read (wrk, same run, ratios);
#   2. memory: bytes per queued buyer with 1,000,000 buyers in a lobby (embedded store), and the SQLite file size;
#   3. the on-sale simulation (bench/OnSaleSimulation): 20,000 buyers, 5,000 seats, the backend capped at 100 calls/s.
# Rewrites the waitingroom section of bench/results.md (between its markers; other sections stay).
# Takes about 6 minutes; every step is bounded in time (wrk -d, the simulator's run cap, timeout).
#   bench/waitingroom.sh [seconds-per-round] [rounds] [queued-buyers] [buyers]
set -euo pipefail
cd "$(dirname "$0")/.."
started_at=$SECONDS

SECONDS_PER_ROUND=${1:-6}
ROUNDS=${2:-3}
FILL=${3:-1000000}
BUYERS=${4:-20000}
SEATS=5000
MOCK_CAP=100
GATEWAY_CAP=90
CONNECTIONS=64
FILL_CONNECTIONS=256
THREADS=2
MOCK=http://127.0.0.1:5290
GATEWAY=http://127.0.0.1:5291
ADMIN_KEY=bench-key
PERFORMANCE=2001
OUT=bench/out/waitingroom
rm -rf "$OUT"
mkdir -p "$OUT"

command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq wrk >/dev/null; }

dotnet build mocks/VenueBackend -c Release --nologo -v quiet
dotnet build src/Gateway -c Release --nologo -v quiet
dotnet build bench/OnSaleSimulation -c Release --nologo -v quiet

pids=()
dirs=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for dir in "${dirs[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

export Logging__LogLevel__Default=Warning
MOCK_PID=
GATEWAY_PID=
GATEWAY_DATA=
start_mock() {
  dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$MOCK" "$@" >> "$OUT/mock.log" 2>&1 &
  MOCK_PID=$!; pids+=("$MOCK_PID")
  wait_for "$MOCK/control/stats"
}
# start_gateway LOG [extra arguments]: a fresh gateway on an empty data folder, per-client limits lifted (all load comes
# from 127.0.0.1; 10,000,000 is the most Gateway:RateLimits:PerClientPerMinute accepts; every simulated buyer's own
# token keeps its fair share, but the seats one client may have parked would otherwise cap the whole crowd, and the
# status benchmark polls one token as fast as wrk can).
start_gateway() {
  local log=$1; shift
  GATEWAY_DATA=$(mktemp -d); dirs+=("$GATEWAY_DATA")
  dotnet src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll --urls "$GATEWAY" \
    --Gateway:Backend:Url="$MOCK/VenueService.svc" --Gateway:DataPath="$GATEWAY_DATA" \
    --Gateway:RateLimits:PerClientPerMinute=10000000 --Gateway:RateLimits:StatusPollsPerMinute=10000000 \
    --Gateway:RateLimits:StatusPollBurst=1000000 --Gateway:Purchasing:MaxParkedSeatsPerClient=100000 \
    --Gateway:Admin:ApiKey="$ADMIN_KEY" "$@" > "$OUT/$log" 2>&1 &
  GATEWAY_PID=$!; pids+=("$GATEWAY_PID")
  wait_for "$GATEWAY/readyz"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_for() { for _ in $(seq 1 150); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
admin_status() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "$GATEWAY/admin/api/status"; }
lobby() { admin_status | python3 -c "import json,sys; print(next((q['lobby'] for q in json.load(sys.stdin)['queues'] if q['performanceId']==$PERFORMANCE), 0))"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$GATEWAY_PID/status"; }
gc_heap() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "$GATEWAY/metrics" | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s += $2} END {printf "%.0f\n", s}'; }
file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------------------------
# Part 1: joins/s and status checks/s against the cached availability read, same gateway, same run.
# Performance 2001 goes on sale in 2 hours, so every join is a new place in the lobby: a durable write (SQLite WAL,
# synchronous=FULL, group commit) before the 201.
start_mock --VenueBackend:Performances:3:OnSaleIn=02:00:00
start_gateway gateway-throughput.log

QUEUE=/api/v1/performances/$PERFORMANCE/queue
AVAILABILITY=/api/v1/performances/1001/availability
first=$(curl -fsS -X POST "$GATEWAY$QUEUE" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["state"], a["queueToken"])')
read -r first_state token <<< "$first"
[ "$first_state" = lobby ] || { echo "expected a lobby place, got $first_state"; exit 1; }
printf 'wrk.method = "POST"\n' > "$OUT/join.lua"
printf 'wrk.method = "GET"\nwrk.headers["Authorization"] = "Bearer %s"\n' "$token" > "$OUT/status.lua"
curl -fsS "$GATEWAY$AVAILABILITY" >/dev/null

# One wrk run; prints "requests_per_second p50_ms p99_ms total_requests". Any non-2xx answer fails the script.
measure() {
  local target=$1
  case "$target" in
    join) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency -s "$OUT/join.lua" "$GATEWAY$QUEUE" > "$OUT/wrk.txt" ;;
    status) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency -s "$OUT/status.lua" "$GATEWAY$QUEUE" > "$OUT/wrk.txt" ;;
    availability) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency "$GATEWAY$AVAILABILITY" > "$OUT/wrk.txt" ;;
  esac
  python3 bench/wrk_summary.py "$OUT/wrk.txt"
}

# Warm all three (JIT, connection pools), then rotate which goes first in each round.
for target in availability join status; do SECONDS_PER_ROUND=3 measure "$target" > /dev/null; done
rows=()
joins_sent=0
targets=(availability join status)
for round in $(seq 1 "$ROUNDS"); do
  for i in 0 1 2; do
    target=${targets[$(( (i + round - 1) % 3 ))]}
    result=$(measure "$target")
    read -r rps p50 p99 total <<< "$result"
    case "$target" in
      availability) a_rps=$rps; a_p99=$p99 ;;
      join) j_rps=$rps; j_p50=$p50; j_p99=$p99; joins_sent=$((joins_sent + total)) ;;
      status) s_rps=$rps; s_p50=$p50; s_p99=$p99 ;;
    esac
  done
  rows+=("| $round | $a_rps | $j_rps | $s_rps | $(python3 -c "print(f'{$j_rps/$a_rps:.3f}')") | $(python3 -c "print(f'{$s_rps/$a_rps:.2f}')") | $j_p50 | $j_p99 | $s_p50 | $s_p99 | $a_p99 |")
  echo "round $round: availability $a_rps req/s, join $j_rps req/s (p99 $j_p99 ms), status $s_rps req/s (p99 $s_p99 ms)"
done
read -r join_ratio status_ratio join_median status_median avail_median < <(printf '%s\n' "${rows[@]}" | python3 -c '
import sys, statistics
rows = [r.strip("|").split("|") for r in sys.stdin.read().strip().splitlines()]
med = lambda i: statistics.median(float(r[i]) for r in rows)
print(f"{med(4):.3f} {med(5):.2f} {med(2):.0f} {med(3):.0f} {med(1):.0f}")')
lobby_after_part1=$(lobby)
stop "$GATEWAY_PID"

# ---------------------------------------------------------------------------------------------------------------
# Part 2: memory per queued buyer. A fresh gateway; the join path warmed on another performance (1003, on sale, so its
# room is not the one measured); RSS; then joins over HTTP until the lobby of 2001 holds FILL buyers (wrk with a
# request budget per thread); settle; RSS and the SQLite files again.
start_gateway gateway-memory.log
WARM_QUEUE=/api/v1/performances/1003/queue
cat > "$OUT/fill.lua" <<'LUA'
wrk.method = "POST"
local budget, done = 0, 0
function init(args) budget = tonumber(args[1]) end
function response(status, headers, body)
  done = done + 1
  if done >= budget then wrk.thread:stop() end
end
LUA
wrk -t"$THREADS" -c"$FILL_CONNECTIONS" -d3s -s "$OUT/join.lua" "$GATEWAY$WARM_QUEUE" > /dev/null
sleep 5
rss_before=$(rss_kb); heap_before=$(gc_heap); lobby_before=$(lobby)
# wrk runs for its whole -d even when every thread has stopped at its budget, so the lobby is watched instead: wrk is
# stopped (by its PID) once FILL places were added, or when the lobby stops growing, or after 240 s.
fill_started=$(date +%s.%N)
wrk -t"$THREADS" -c"$FILL_CONNECTIONS" -d240s --latency -s "$OUT/fill.lua" "$GATEWAY$QUEUE" -- $(( (FILL + THREADS - 1) / THREADS )) > "$OUT/wrk-fill.txt" &
wrk_pid=$!; pids+=("$wrk_pid")
last=-1; still=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep 0.5
  now=$(lobby)
  if (( now - lobby_before >= FILL )); then break; fi
  if (( now == last )); then still=$((still + 1)); else still=0; fi
  if (( still >= 6 )); then echo "fill: the lobby stopped growing at $now"; break; fi
  last=$now
done
fill_seconds=$(python3 -c "print(f'{$(date +%s.%N) - $fill_started:.1f}')")
kill -INT "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true
if grep -q "Non-2xx" "$OUT/wrk-fill.txt"; then echo "fill: non-2xx answers"; grep "Non-2xx" "$OUT/wrk-fill.txt"; fi
fill_p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-fill.txt"); fill_p99=${fill_p99:-n/a}
sleep 10
rss_after=$(rss_kb); heap_after=$(gc_heap); lobby_after=$(lobby)
db=$(file_size "$GATEWAY_DATA/gateway.db"); wal=$(file_size "$GATEWAY_DATA/gateway.db-wal"); shm=$(file_size "$GATEWAY_DATA/gateway.db-shm")
read -r queued per_buyer heap_per_buyer disk_per_buyer fill_rate < <(python3 -c "
n = $lobby_after - $lobby_before
print(n, f'{($rss_after - $rss_before) * 1024 / n:.0f}', f'{($heap_after - $heap_before) / n:.0f}', f'{($db + $wal) / $lobby_after:.0f}', f'{n / $fill_seconds:.0f}')")
echo "memory: $queued buyers queued in $fill_seconds s ($fill_rate joins/s): RSS $rss_before -> $rss_after kB, $per_buyer bytes per queued buyer"
stop "$GATEWAY_PID"
stop "$MOCK_PID"

# ---------------------------------------------------------------------------------------------------------------
# Part 3: the on-sale simulation against a fresh mock and a fresh gateway set up as an operator would for a box that
# bears 100 calls/s: MaxBackendCallsPerSecond=90, default waiting-room settings, rate limits lifted.
start_mock
Logging__LogLevel__OnSale=Information start_gateway gateway-onsale.log --Gateway:Resilience:MaxBackendCallsPerSecond=$GATEWAY_CAP
set +e
timeout 480 dotnet bench/OnSaleSimulation/bin/Release/net10.0/OnSale.Bench.OnSaleSimulation.dll \
  --gateway "$GATEWAY" --mock "$MOCK" --admin-key "$ADMIN_KEY" --performance "$PERFORMANCE" --zone 1 \
  --buyers "$BUYERS" --seats "$SEATS" --mock-cap "$MOCK_CAP" --gateway-cap "$GATEWAY_CAP" \
  --open-in 20 --sold-out-patience 20 --max-run 400 --out "$OUT/onsale" | tee "$OUT/onsale.txt"
sim_rc=${PIPESTATUS[0]}
set -e
[ -s "$OUT/onsale.md" ] || { echo "the simulation wrote no report (exit $sim_rc)"; exit 1; }
case $sim_rc in 0) sim_verdict="every hard goal held" ;; 1) sim_verdict="**a hard goal did not hold** (see the table)" ;; *) sim_verdict="**the simulation failed (exit $sim_rc)**" ;; esac

# ---------------------------------------------------------------------------------------------------------------
elapsed=$((SECONDS - started_at))
cat > "$OUT/waitingroom-section.md" <<MD
## Waiting room (\`bench/waitingroom.sh\`)

Measured by \`bench/waitingroom.sh\` on $(date -u +%Y-%m-%d) on this machine ($(nproc) cores, shared, loopback only), gateway
and mock in Release, Embedded store (SQLite, WAL, \`synchronous=FULL\`, group commit), SOAP. The script took ${elapsed} s
up to writing this section.

### Joins and status checks against the cached availability read

wrk ${THREADS} threads, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s per target, the order rotating, one gateway.
Join = \`POST $QUEUE\` with no body into the lobby of performance $PERFORMANCE (on sale in 2 hours), so each one is a
new durable place. Status = \`GET $QUEUE\` with \`Authorization: Bearer {queueToken}\` from one join. Availability = the
cached read \`GET $AVAILABILITY\` (the one \`run.sh\` compares with a bare endpoint). Rate limits lifted.

| round | availability req/s | join req/s | status req/s | join ÷ availability | status ÷ availability | join p50 ms | join p99 ms | status p50 ms | status p99 ms | availability p99 ms |
|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

- **Joins: ${join_ratio} of the availability read's throughput** (median of rounds; median ${join_median} joins/s against ${avail_median} reads/s).
- **Status checks: ${status_ratio} of it** (median ${status_median} checks/s).
- The lobby held ${lobby_after_part1} places afterwards (wrk counted ${joins_sent} answered joins in the measured rounds, plus warm-up).

### Memory per queued buyer (embedded store)

A fresh gateway; 3 s of joins at ${FILL_CONNECTIONS} connections to another performance (1003) to warm the path; 5 s to
settle; then joins over HTTP until the lobby of $PERFORMANCE holds ${FILL} buyers (wrk, ${FILL_CONNECTIONS} connections, a request
budget per thread, stopped when the lobby is full); 10 s to settle. RSS is \`VmRSS\` of the gateway process.

| | before | after | per queued buyer |
|---|---|---|---|
| buyers in the lobby | ${lobby_before} | ${lobby_after} | **${queued} added** |
| gateway RSS | $((rss_before / 1024)) MiB | $((rss_after / 1024)) MiB | **${per_buyer} bytes** |
| managed heap after the last GC (\`dotnet_gc_last_collection_heap_size_bytes\`, all generations) | $((heap_before / 1048576)) MiB | $((heap_after / 1048576)) MiB | ${heap_per_buyer} bytes |
| SQLite \`gateway.db\` + \`-wal\` (+ \`-shm\`) | | $((db / 1048576)) MiB + $((wal / 1048576)) MiB (+ $((shm / 1024)) KiB) | ${disk_per_buyer} bytes on disk |

- **Bytes per queued buyer: ${per_buyer}** = (RSS after − RSS before) ÷ buyers added.
- Join rate while filling: **${fill_rate} joins/s** (${queued} in ${fill_seconds} s at ${FILL_CONNECTIONS} connections, p99 ${fill_p99}).
- What the room itself holds (from the code; at 1,000,000 buyers): a 48-byte \`Slot\` in a \`List\` of capacity 1,048,576
  (50.3 MB), a \`Dictionary<UInt128, int>\` entry of 48 bytes (\`UInt128\` is 16-byte aligned) plus a 4-byte bucket in a
  table of 1,395,263 (72.6 MB), and a 4-byte lobby index in a \`List<int>\` of 1,048,576 (4.2 MB): about 127 bytes per
  buyer. RSS and the heap above that hold the arrays dropped at each doubling (large-object heap, freed only by a full
  GC) and what the GC keeps committed.

$(cat "$OUT/onsale.md")

Simulation verdict: ${sim_verdict}. Raw figures and the per-second samples: \`$OUT/onsale.json\` (not kept in git);
the gateway's log of the run: \`$OUT/gateway-onsale.log\`.
MD
python3 bench/results_section.py waitingroom "$OUT/waitingroom-section.md"
echo "results written to bench/results.md (waitingroom section): join/availability ${join_ratio}, status/availability ${status_ratio}, ${per_buyer} bytes per queued buyer, simulation exit ${sim_rc}, ${elapsed} s"
