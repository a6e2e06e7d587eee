#!/usr/bin/env bash
# Waiting-room benchmark (issue 4), on loopback only, in three parts:
#   1. joins/s and status checks/s side by side with the cached availability read (wrk, same run, ratios);
#   2. memory: bytes per queued buyer with 1,000,000 buyers in a lobby (embedded store), and the SQLite file size;
#   3. the on-sale simulation (bench/OnSaleSimulation): 20,000 buyers, 5,000 seats, the backend capped at 100 calls/s.
# Parts 1 and 2 also measure a bare ASP.NET Core endpoint (bench/BareEndpoint) serving the availability read's bytes,
# and, with BASELINE_GATEWAY=/path/to/OnSale.Gateway.dll, a previous build beside this one (as bench/run.sh does).
# SKIP_SIMULATION=1 leaves part 3 out and keeps the simulation's text of the last full run in the section.
# Rewrites the waitingroom section of bench/results.md (between its markers; other sections stay).
# Takes about 6 minutes (more with a previous build); every step is bounded in time (wrk -d, the simulator's run cap, timeout).
#   [BASELINE_GATEWAY=dll] [SKIP_SIMULATION=1] [PORTS=5290] bench/waitingroom.sh [seconds-per-round] [rounds] [queued-buyers] [buyers]
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
PORTS=${PORTS:-5290} # the first of four ports on 127.0.0.1 (mock, gateway, previous build, bare endpoint)
MOCK=http://127.0.0.1:$PORTS
GATEWAY=http://127.0.0.1:$((PORTS + 1))
BASELINE=http://127.0.0.1:$((PORTS + 2))
BARE=http://127.0.0.1:$((PORTS + 3))
GATEWAY_DLL=src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll
BASELINE_GATEWAY=${BASELINE_GATEWAY:-}
SKIP_SIMULATION=${SKIP_SIMULATION:-}
ADMIN_KEY=bench-key
PERFORMANCE=2001
OUT=bench/out/waitingroom
rm -rf "$OUT"
mkdir -p "$OUT"

command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq wrk >/dev/null; }

dotnet build mocks/VenueBackend -c Release --nologo -v quiet
dotnet build src/Gateway -c Release --nologo -v quiet
dotnet build bench/OnSaleSimulation -c Release --nologo -v quiet
dotnet build bench/BareEndpoint -c Release --nologo -v quiet

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
# [DLL=… URL=…] start_gateway LOG [extra arguments]: a fresh gateway (this build at $GATEWAY unless DLL and URL say
# otherwise) on an empty data folder, per-client limits lifted (all load comes
# from 127.0.0.1; 10,000,000 is the most Gateway:RateLimits:PerClientPerMinute accepts; every simulated buyer's own
# token keeps its fair share, but the seats one client may have parked would otherwise cap the whole crowd, and the
# status benchmark polls one token as fast as wrk can: one poll a millisecond and a burst of 1,000,000, a fresh token for
# each measurement, so that no measurement reaches the budget).
start_gateway() {
  local log=$1; shift
  GATEWAY_DATA=$(mktemp -d); dirs+=("$GATEWAY_DATA")
  local url=${URL:-$GATEWAY}
  dotnet "${DLL:-$GATEWAY_DLL}" --urls "$url" \
    --Gateway:Backend:Url="$MOCK/VenueService.svc" --Gateway:DataPath="$GATEWAY_DATA" \
    --Gateway:RateLimits:PerClientPerMinute=10000000 --Gateway:RateLimits:StatusPollsPerMinute=60000 \
    --Gateway:RateLimits:StatusPollBurst=1000000 --Gateway:Purchasing:MaxParkedSeatsPerClient=100000 \
    --Gateway:Admin:ApiKey="$ADMIN_KEY" "$@" > "$OUT/$log" 2>&1 &
  GATEWAY_PID=$!; pids+=("$GATEWAY_PID")
  wait_for "$url/readyz"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_for() { for _ in $(seq 1 150); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
admin_status() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "${URL:-$GATEWAY}/admin/api/status"; }
lobby() { admin_status | python3 -c "import json,sys; print(next((q['lobby'] for q in json.load(sys.stdin)['queues'] if q['performanceId']==$PERFORMANCE), 0))"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$GATEWAY_PID/status"; }
gc_heap() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "${URL:-$GATEWAY}/metrics" | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s += $2} END {printf "%.0f\n", s}'; }
file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------------------------
# Part 1: joins/s and status checks/s against the cached availability read, same gateway, same run, and against a bare
# ASP.NET Core endpoint serving the read's bytes (the ceiling of any handler on this machine).
# Performance 2001 goes on sale in 2 hours, so every join is a new place in the lobby: a write committed to SQLite's log
# (group commit) before the 201, forced to disk within a second.
start_mock --VenueBackend:Performances:3:OnSaleIn=02:00:00
start_gateway gateway-throughput.log
builds=(this)
declare -A base gateway_pid
base[this]=$GATEWAY; gateway_pid[this]=$GATEWAY_PID
if [ -n "$BASELINE_GATEWAY" ]; then
  DLL=$BASELINE_GATEWAY URL=$BASELINE start_gateway baseline-throughput.log
  builds+=(previous); base[previous]=$BASELINE; gateway_pid[previous]=$GATEWAY_PID
fi

QUEUE=/api/v1/performances/$PERFORMANCE/queue
AVAILABILITY=/api/v1/performances/1001/availability
# A new place of BUILD, and the status script polling its token.
new_token() {
  local first first_state token
  first=$(curl -fsS -X POST "${base[$1]}$QUEUE" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["state"], a["queueToken"])')
  read -r first_state token <<< "$first"
  [ "$first_state" = lobby ] || { echo "expected a lobby place, got $first_state"; exit 1; }
  printf 'wrk.method = "GET"\nwrk.headers["Authorization"] = "Bearer %s"\n' "$token" > "$OUT/status-$1.lua"
}
for build in "${builds[@]}"; do
  new_token "$build"
  curl -fsS "${base[$build]}$AVAILABILITY" > "$OUT/availability.json"
done
printf 'wrk.method = "POST"\n' > "$OUT/join.lua"
dotnet bench/BareEndpoint/bin/Release/net10.0/OnSale.Bench.BareEndpoint.dll --urls "$BARE" --body "$OUT/availability.json" > "$OUT/bare.log" 2>&1 &
pids+=($!)
wait_for "$BARE$AVAILABILITY"

# One wrk run of TARGET (join, status, availability) on BUILD, or of the bare endpoint; prints
# "requests_per_second p50_ms p99_ms total_requests". Any non-2xx answer fails the script.
measure() {
  local target=$1 build=${2:-this}
  local url=${base[$build]:-}
  case "$target" in
    join) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency -s "$OUT/join.lua" "$url$QUEUE" > "$OUT/wrk.txt" ;;
    status) new_token "$build"; wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency -s "$OUT/status-$build.lua" "$url$QUEUE" > "$OUT/wrk.txt" ;;
    availability) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency "$url$AVAILABILITY" > "$OUT/wrk.txt" ;;
    bare) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency "$BARE$AVAILABILITY" > "$OUT/wrk.txt" ;;
  esac
  python3 bench/wrk_summary.py "$OUT/wrk.txt"
}

# Every (target, build) pair, the bare endpoint once; warmed, then the order rotating by one in each round.
targets=("bare -")
for build in "${builds[@]}"; do targets+=("availability $build" "join $build" "status $build"); done
for t in "${targets[@]}"; do read -r target build <<< "$t"; SECONDS_PER_ROUND=3 measure "$target" "$build" > /dev/null; done
rows=()
previous_rows=()
joins_sent=0
for round in $(seq 1 "$ROUNDS"); do
  declare -A rps=() p50=() p99=()
  for i in $(seq 0 $(( ${#targets[@]} - 1 ))); do
    read -r target build <<< "${targets[$(( (i + round - 1) % ${#targets[@]} ))]}"
    read -r r5 l50 l99 total <<< "$(measure "$target" "$build")"
    rps[$target.$build]=$r5; p50[$target.$build]=$l50; p99[$target.$build]=$l99
    [ "$target.$build" = join.this ] && joins_sent=$((joins_sent + total))
  done
  a_rps=${rps[availability.this]}; b_rps=${rps[bare.-]}; j_rps=${rps[join.this]}; s_rps=${rps[status.this]}
  ratio() { python3 -c "print(f'{$1/$2:.${3:-2}f}')"; }
  rows+=("| $round | $b_rps | $a_rps | $j_rps | $s_rps | $(ratio "$j_rps" "$a_rps" 3) | $(ratio "$s_rps" "$a_rps") | $(ratio "$j_rps" "$b_rps" 3) | $(ratio "$s_rps" "$b_rps") | ${p50[join.this]} | ${p99[join.this]} | ${p50[status.this]} | ${p99[status.this]} | ${p99[availability.this]} |")
  echo "round $round: bare $b_rps req/s, availability $a_rps req/s, join $j_rps req/s (p99 ${p99[join.this]} ms), status $s_rps req/s (p99 ${p99[status.this]} ms)"
  if [ -n "$BASELINE_GATEWAY" ]; then
    pa=${rps[availability.previous]}; pj=${rps[join.previous]}; ps=${rps[status.previous]}
    previous_rows+=("| $round | $pa | $pj | $ps | $(ratio "$pj" "$pa" 3) | $(ratio "$ps" "$pa") | $(ratio "$pj" "$b_rps" 3) | $(ratio "$ps" "$b_rps") | $(ratio "$j_rps" "$pj") | $(ratio "$s_rps" "$ps") | ${p99[join.previous]} | ${p99[status.previous]} |")
    echo "round $round, previous build: availability $pa req/s, join $pj req/s, status $ps req/s"
  fi
done
medians() { python3 -c '
import sys, statistics
rows = [r.strip("|").split("|") for r in sys.stdin.read().strip().splitlines()]
print(" ".join(f"{statistics.median(float(r[int(i)]) for r in rows):g}" for i in sys.argv[1:]))' "$@"; }
read -r bare_median avail_median join_median status_median join_ratio status_ratio join_bare status_bare < <(printf '%s\n' "${rows[@]}" | medians 1 2 3 4 5 6 7 8)
if [ -n "$BASELINE_GATEWAY" ]; then
  read -r prev_join_ratio prev_status_ratio prev_join_bare prev_status_bare join_gain status_gain < <(printf '%s\n' "${previous_rows[@]}" | medians 4 5 6 7 8 9)
fi
lobby_after_part1=$(lobby)
for build in "${builds[@]}"; do stop "${gateway_pid[$build]}"; done

# ---------------------------------------------------------------------------------------------------------------
# Part 2: memory per queued buyer. A fresh gateway; the join path warmed on another performance (1003, on sale, so its
# room is not the one measured); RSS; then joins over HTTP until the lobby of 2001 holds FILL buyers (wrk with a
# request budget per thread); settle; RSS and the SQLite files again. The previous build, if given, the same way after.
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
# fill BUILD: prints "before_kB after_kB heap_before heap_after lobby_before lobby_after db wal shm seconds p99" of a
# fresh gateway of that build filled with FILL queued buyers.
fill() {
  local build=$1 url=${base[$1]}
  if [ "$build" = this ]; then start_gateway "gateway-memory.log"; else DLL=$BASELINE_GATEWAY URL=$url start_gateway "baseline-memory.log"; fi
  export URL=$url
  wrk -t"$THREADS" -c"$FILL_CONNECTIONS" -d3s -s "$OUT/join.lua" "$url$WARM_QUEUE" > /dev/null
  sleep 5
  local rss_before heap_before lobby_before
  rss_before=$(rss_kb); heap_before=$(gc_heap); lobby_before=$(lobby)
  # wrk runs for its whole -d even when every thread has stopped at its budget, so the lobby is watched instead: wrk is
  # stopped (by its PID) once FILL places were added, or when the lobby stops growing, or after 240 s.
  local started last=-1 still=0 now
  started=$(date +%s.%N)
  wrk -t"$THREADS" -c"$FILL_CONNECTIONS" -d240s --latency -s "$OUT/fill.lua" "$url$QUEUE" -- $(( (FILL + THREADS - 1) / THREADS )) > "$OUT/wrk-fill-$build.txt" &
  local wrk_pid=$!; pids+=("$wrk_pid")
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 0.5
    now=$(lobby)
    if (( now - lobby_before >= FILL )); then break; fi
    if (( now == last )); then still=$((still + 1)); else still=0; fi
    if (( still >= 6 )); then echo "fill: the lobby stopped growing at $now" >&2; break; fi
    last=$now
  done
  local seconds
  seconds=$(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')")
  kill -INT "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true
  if grep -q "Non-2xx" "$OUT/wrk-fill-$build.txt"; then echo "fill: non-2xx answers" >&2; grep "Non-2xx" "$OUT/wrk-fill-$build.txt" >&2; fi
  local p99
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-fill-$build.txt"); p99=${p99:-n/a}
  sleep 10
  echo "$rss_before $(rss_kb) $heap_before $(gc_heap) $lobby_before $(lobby) $(file_size "$GATEWAY_DATA/gateway.db") $(file_size "$GATEWAY_DATA/gateway.db-wal") $(file_size "$GATEWAY_DATA/gateway.db-shm") $seconds $p99"
  unset URL
  stop "$GATEWAY_PID"
}
fill this > "$OUT/fill-this.txt"
read -r rss_before rss_after heap_before heap_after lobby_before lobby_after db wal shm fill_seconds fill_p99 < "$OUT/fill-this.txt"
read -r queued rss_per_buyer heap_per_buyer disk_per_buyer fill_rate < <(python3 -c "
n = $lobby_after - $lobby_before
print(n, f'{($rss_after - $rss_before) * 1024 / n:.0f}', f'{($heap_after - $heap_before) / n:.0f}', f'{($db + $wal) / $lobby_after:.0f}', f'{n / $fill_seconds:.0f}')")
# The figure counted is the larger of the two: RSS understates when the warm-up's garbage, freed, is reused by the room's
# chunks (RSS does not shrink after a GC), the heap when memory outside it (native, stacks) grows with the queue.
per_buyer=$(( rss_per_buyer > heap_per_buyer ? rss_per_buyer : heap_per_buyer ))
echo "memory: $queued buyers queued in $fill_seconds s ($fill_rate joins/s): RSS $rss_before -> $rss_after kB, $per_buyer bytes per queued buyer"
if [ -n "$BASELINE_GATEWAY" ]; then
  fill previous > "$OUT/fill-previous.txt"
  read -r p_rss_before p_rss_after p_heap_before p_heap_after p_lobby_before p_lobby_after _ _ _ p_fill_seconds _ < "$OUT/fill-previous.txt"
  read -r p_queued p_rss_per_buyer p_heap_per_buyer p_fill_rate < <(python3 -c "
n = $p_lobby_after - $p_lobby_before
print(n, f'{($p_rss_after - $p_rss_before) * 1024 / n:.0f}', f'{($p_heap_after - $p_heap_before) / n:.0f}', f'{n / $p_fill_seconds:.0f}')")
  p_per_buyer=$(( p_rss_per_buyer > p_heap_per_buyer ? p_rss_per_buyer : p_heap_per_buyer ))
  echo "memory, previous build: $p_queued buyers in $p_fill_seconds s, $p_per_buyer bytes per queued buyer"
fi
stop "$MOCK_PID"

# ---------------------------------------------------------------------------------------------------------------
# Part 3: the on-sale simulation against a fresh mock and a fresh gateway set up as an operator would for a box that
# bears 100 calls/s: MaxBackendCallsPerSecond=90, default waiting-room settings, rate limits lifted. With
# SKIP_SIMULATION=1, the simulation's text of the last full run is kept from bench/results.md instead.
if [ -n "$SKIP_SIMULATION" ]; then
  python3 - "$OUT/onsale-kept.md" <<'PY'
import re, sys
text = open("bench/results.md", encoding="utf-8").read()
section = re.search(r"<!-- waitingroom:begin -->(.*?)<!-- waitingroom:end -->", text, re.S).group(1)
start = section.index("### On-sale simulation")
kept = section[start:].strip("\n")
marker = "\n\n_Not run again this time (`SKIP_SIMULATION=1`): the text of the last full run._\n"
kept = kept.replace(marker, "\n")
title, _, rest = kept.partition("\n")
open(sys.argv[1], "w", encoding="utf-8").write(title + marker + rest + "\n")
PY
fi
if [ -z "$SKIP_SIMULATION" ]; then
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
{
  cat "$OUT/onsale.md"
  echo
  echo "Simulation verdict: ${sim_verdict}. Raw figures and the per-second samples: \`$OUT/onsale.json\` (not kept in git);"
  echo "the gateway's log of the run: \`$OUT/gateway-onsale.log\`."
} > "$OUT/onsale-kept.md"
fi

# ---------------------------------------------------------------------------------------------------------------
elapsed=$((SECONDS - started_at))
previous_part1=
previous_part2=
if [ -n "$BASELINE_GATEWAY" ]; then
  previous_part1=$(cat <<MD

The previous build (\`BASELINE_GATEWAY\`, its own gateway on its own data folder, measured in the same rounds; the
bare endpoint's figure is the one of the same round):

| round | availability req/s | join req/s | status req/s | join ÷ availability | status ÷ availability | join ÷ bare | status ÷ bare | joins: this ÷ previous | status: this ÷ previous | join p99 ms | status p99 ms |
|---|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${previous_rows[@]}")

- **Against the previous build: ${join_gain}× its joins/s, ${status_gain}× its status checks/s** (medians); it ran at
  ${prev_join_ratio} (joins) and ${prev_status_ratio} (status) of its own availability read, ${prev_join_bare} and ${prev_status_bare} of the bare endpoint.
MD
)
  previous_part2="| previous build: gateway RSS | $((p_rss_before / 1024)) MiB | $((p_rss_after / 1024)) MiB | ${p_rss_per_buyer} bytes (${p_queued} added, heap ${p_heap_per_buyer} bytes: **${p_per_buyer} bytes** counted; ${p_fill_rate} joins/s) |"
fi
cat > "$OUT/waitingroom-section.md" <<MD
## Waiting room (\`bench/waitingroom.sh\`)

Measured by \`bench/waitingroom.sh\` on $(date -u +%Y-%m-%d) on this machine ($(nproc) cores, shared, loopback only), gateway
and mock in Release, Embedded store (SQLite, WAL, group commit; \`synchronous=FULL\` for every write but new places, which are forced to disk within a second), SOAP. The script took ${elapsed} s
up to writing this section.

### Joins and status checks against the cached availability read and a bare endpoint

wrk ${THREADS} threads, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s per target, the order rotating.
Join = \`POST $QUEUE\` with no body into the lobby of performance $PERFORMANCE (on sale in 2 hours), so each one is a
new place (committed to the log before the \`201\`). Status = \`GET $QUEUE\` with \`Authorization: Bearer {queueToken}\` from a join made just before each measurement. Availability = the
cached read \`GET $AVAILABILITY\` (the one \`run.sh\` compares with a bare endpoint). Bare = \`bench/BareEndpoint\`, a bare
ASP.NET Core endpoint serving the availability read's bytes. Rate limits lifted.

| round | bare req/s | availability req/s | join req/s | status req/s | join ÷ availability | status ÷ availability | join ÷ bare | status ÷ bare | join p50 ms | join p99 ms | status p50 ms | status p99 ms | availability p99 ms |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

- **Joins: ${join_ratio} of the availability read's throughput, ${join_bare} of the bare endpoint's** (medians of rounds;
  median ${join_median} joins/s against ${avail_median} reads/s and ${bare_median} bare requests/s).
- **Status checks: ${status_ratio} of the availability read's, ${status_bare} of the bare endpoint's** (median ${status_median} checks/s).
- The lobby held ${lobby_after_part1} places afterwards (wrk counted ${joins_sent} answered joins in the measured rounds, plus warm-up).
${previous_part1}

### Memory per queued buyer (embedded store)

A fresh gateway; 3 s of joins at ${FILL_CONNECTIONS} connections to another performance (1003) to warm the path; 5 s to
settle; then joins over HTTP until the lobby of $PERFORMANCE holds ${FILL} buyers (wrk, ${FILL_CONNECTIONS} connections, a request
budget per thread, stopped when the lobby is full); 10 s to settle. RSS is \`VmRSS\` of the gateway process.

| | before | after | per queued buyer |
|---|---|---|---|
| buyers in the lobby | ${lobby_before} | ${lobby_after} | **${queued} added** |
| gateway RSS | $((rss_before / 1024)) MiB | $((rss_after / 1024)) MiB | ${rss_per_buyer} bytes |
| managed heap after the last GC (\`dotnet_gc_last_collection_heap_size_bytes\`, all generations) | $((heap_before / 1048576)) MiB | $((heap_after / 1048576)) MiB | ${heap_per_buyer} bytes |
| SQLite \`gateway.db\` + \`-wal\` (+ \`-shm\`) | | $((db / 1048576)) MiB + $((wal / 1048576)) MiB (+ $((shm / 1024)) KiB) | ${disk_per_buyer} bytes on disk |
${previous_part2}

- **Bytes per queued buyer: ${per_buyer}**, the larger of (RSS after − RSS before) and (heap after − heap before), ÷ buyers
  added: RSS understates when the room's chunks reuse memory the warm-up's garbage left the process holding (RSS does
  not shrink after a collection), the heap when memory outside it grows with the queue.
- Join rate while filling: **${fill_rate} joins/s** (${queued} in ${fill_seconds} s at ${FILL_CONNECTIONS} connections, p99 ${fill_p99}).
- What the room itself holds (from the code; at 1,000,000 buyers): a 32-byte \`Slot\` (the id's 96 random bits, the order
  key, three times in Unix seconds or milliseconds from one of them, state, seats, kind) in chunks of 16,384 (32 MB, no
  array is ever copied once full), and a 4-byte lobby index in a \`List<int>\` of 1,048,576 (4.2 MB): about 36 bytes per
  buyer. No map: the id the room mints carries the place's index in its low 32 bits. The heap holds that and the
  requests' garbage not yet collected; RSS may grow by less, when the warm-up left memory committed that the room's
  chunks then take, or by more (the lobby list's dropped arrays, what the GC keeps committed).

$(cat "$OUT/onsale-kept.md")
MD
python3 bench/results_section.py waitingroom "$OUT/waitingroom-section.md"
echo "results written to bench/results.md (waitingroom section): join/availability ${join_ratio}, status/availability ${status_ratio}, join/bare ${join_bare}, status/bare ${status_bare}, ${per_buyer} bytes per queued buyer, ${elapsed} s"
