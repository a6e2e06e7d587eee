#!/usr/bin/env bash
# Several nodes on Redis: the cached availability read through Debian's nginx as a load balancer (round robin,
# keepalive to each node) in front of three gateway nodes with Gateway:Store=Redis on one redis-server, against the
# same balancer in front of one embedded node, and against that one node read directly; side by side in one run on
# loopback at 64 and 256 connections, as ratios. Also counted: backend calls per 10,000 reads for the whole cluster
# (the mock's stats), and Redis commands per request of each kind (INFO commandstats before and after a burst of
# requests of that kind, less what the nodes send on their own while idle over as long). Rewrites the cluster section
# of bench/results.md. Also: a lobby filled with FILL buyers (default 200,000) through the cluster, and what they cost
# in Redis (INFO used_memory, and MEMORY USAGE of the room's keys) and on the nodes (RSS). About 5 minutes.
#   bench/cluster.sh [seconds-per-run] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-10}
ROUNDS=${2:-2}
CONNECTION_COUNTS=(64 256)
PORT_BASE=${PORT_BASE:-5390}
MOCK=http://127.0.0.1:$PORT_BASE
ONE=http://127.0.0.1:$((PORT_BASE + 1))
NODES=($((PORT_BASE + 2)) $((PORT_BASE + 3)) $((PORT_BASE + 4)))
LB_ONE=http://127.0.0.1:$((PORT_BASE + 8))
LB_CLUSTER=http://127.0.0.1:$((PORT_BASE + 9))
REDIS_PORT=$((PORT_BASE + 7))
PATH_UNDER_TEST=/api/v1/performances/1001/availability
ADMIN_KEY=bench-admin-key-bench-admin-key-0123
OUT=bench/out/cluster
mkdir -p "$OUT"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dotnet build mocks/VenueBackend -c Release --nologo -v quiet
dotnet build src/Gateway -c Release --nologo -v quiet

pids=()
WORK=$(mktemp -d)
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export Logging__LogLevel__Default=Warning

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec --dir "$WORK" > "$OUT/redis.log" 2>&1 & pids+=($!)
dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$MOCK" > "$OUT/mock.log" 2>&1 & pids+=($!)
# The lobby to fill: performance 2001 opens in a day, set before any node reads the list of performances.
for _ in $(seq 1 150); do curl -fsS "$MOCK/control/stats" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS -X PUT -H 'content-type: application/json' -d "{\"onSaleAt\":\"$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)\"}" "$MOCK/control/performances/2001" > /dev/null
gateway() { # name address extra-args...
  local name=$1 address=$2; shift 2
  dotnet src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll --urls "$address" --Gateway:Backend:Url="$MOCK/VenueService.svc" \
    --Gateway:DataPath="$WORK/$name" --Gateway:Admin:ApiKey="$ADMIN_KEY" \
    --Gateway:RateLimits:PerClientPerMinute=10000000 --Gateway:RateLimits:StatusPollsPerMinute=10000000 \
    --Gateway:RateLimits:StatusPollBurst=100000 --Gateway:WaitingRoom:SeatsPerBuyer=100 --Gateway:Purchasing:MaxParkedSeatsPerClient=1000 "$@" > "$OUT/$name.log" 2>&1 &
  pids+=($!)
}
gateway one "$ONE"
for i in 0 1 2; do
  gateway "node$i" "http://127.0.0.1:${NODES[$i]}" --Gateway:Store="${CLUSTER_STORE:-Redis}" --Gateway:Redis:Configuration="127.0.0.1:$REDIS_PORT"
done

mkdir -p "$WORK/nginx/temp"
cat > "$WORK/nginx/nginx.conf" <<NGINX
user root;
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $PWD/$OUT/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/temp/body;
  proxy_temp_path $WORK/nginx/temp/proxy;
  fastcgi_temp_path $WORK/nginx/temp/fastcgi;
  uwsgi_temp_path $WORK/nginx/temp/uwsgi;
  scgi_temp_path $WORK/nginx/temp/scgi;
  keepalive_requests 1000000000;
  upstream one { server ${ONE#http://}; keepalive 32; }
  upstream cluster { server 127.0.0.1:${NODES[0]}; server 127.0.0.1:${NODES[1]}; server 127.0.0.1:${NODES[2]}; keepalive 32; }
  server {
    listen ${LB_ONE#http://};
    location / { proxy_pass http://one; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen ${LB_CLUSTER#http://};
    location / { proxy_pass http://cluster; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
/usr/sbin/nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$PWD/$OUT/nginx-error.log" & pids+=($!)

wait_for() { for _ in $(seq 1 150); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
wait_for "$MOCK/control/stats"
wait_for "$ONE/readyz"
for p in "${NODES[@]}"; do wait_for "http://127.0.0.1:$p/readyz"; done
wait_for "$LB_ONE/readyz"; wait_for "$LB_CLUSTER/readyz"

declare -A url=([one]=$ONE [lb-one]=$LB_ONE [cluster]=$LB_CLUSTER)
targets=(one lb-one cluster)
calls() { curl -fsS "$MOCK/control/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"]["GetAvailability"])'; }
redis_commands() { redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | awk -F'[=,:]' '/^cmdstat_/ {s += $3} END {print s + 0}'; }

for t in "${targets[@]}"; do wrk -t2 -c256 -d5s "${url[$t]}$PATH_UNDER_TEST" > /dev/null; done
: > "$OUT/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  order=("${targets[@]:$(( (round - 1) % 3 ))}" "${targets[@]:0:$(( (round - 1) % 3 ))}")
  for c in "${CONNECTION_COUNTS[@]}"; do
    for t in "${order[@]}"; do
      before=$(calls); rbefore=$(redis_commands)
      wrk -t2 -c"$c" -d"${SECONDS_PER_RUN}s" --latency "${url[$t]}$PATH_UNDER_TEST" > "$OUT/wrk.txt"
      after=$(calls); rafter=$(redis_commands)
      read -r rps p50 p99 total < <(python3 bench/wrk_summary.py "$OUT/wrk.txt")
      echo "$round $c $t $rps $p50 $p99 $total $((after - before)) $((rafter - rbefore))" >> "$OUT/rounds.txt"
      echo "round $round, $c connections: $t $rps req/s (p99 $p99 ms, $((after - before)) backend calls, $((rafter - rbefore)) Redis commands)"
    done
  done
done

# Redis commands per request kind, through the cluster's balancer: the idle rate first (node beats), then bursts.
idle_seconds=5
r0=$(redis_commands); sleep "$idle_seconds"; idle=$(( $(redis_commands) - r0 ))
burst() { # name count command...
  local name=$1 n=$2 start end t0 t1; shift 2
  start=$(redis_commands); t0=$(date +%s.%N)
  for _ in $(seq 1 "$n"); do "$@" > /dev/null || { echo "$name: a request failed"; exit 1; }; done
  t1=$(date +%s.%N); end=$(redis_commands)
  python3 -c "print(f'$name {max(0, ($end - $start) - $idle * ($t1 - $t0) / $idle_seconds) / $n:.2f}')" >> "$OUT/redis-per-kind.txt"
}
: > "$OUT/redis-per-kind.txt"
burst "availability read (fresh)" 300 curl -fsS "$LB_CLUSTER$PATH_UNDER_TEST"
burst "queue join" 100 curl -fsS -X POST -H 'content-type: application/json' -d '{}' "$LB_CLUSTER/api/v1/performances/1002/queue"
token=$(curl -fsS -X POST -H 'content-type: application/json' -d '{}' "http://127.0.0.1:${NODES[0]}/api/v1/performances/1002/queue" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queueToken"])')
burst "queue status" 100 curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:${NODES[0]}/api/v1/performances/1002/queue/"
purchase() { # kind: a fresh idempotency key each time
  curl -fsS -X POST -H 'content-type: application/json' -H "Idempotency-Key: bench-$1-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" \
    -d '{"performanceId":1001,"zoneId":1,"quantity":1,"paymentToken":"tok_ok","email":"bench@example.com"}' "$LB_CLUSTER/api/v1/purchases"
}
mode() { curl -fsS -X PUT -H "Authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' -d "{\"mode\":\"$1\",\"reason\":\"bench\"}" "$LB_CLUSTER/admin/api/mode" > /dev/null; }
parked_count() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:${NODES[0]}/admin/api/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["parked"])'; }
burst "purchase, bought live" 40 purchase live
mode degraded; sleep 1
burst "purchase, parked (degraded mode)" 40 purchase parked
# The replay of those 40, from the mode change until none is parked, per purchase.
start=$(redis_commands); t0=$(date +%s.%N); mode normal
for _ in $(seq 1 600); do [ "$(parked_count)" = 0 ] && break; sleep 0.1; done
t1=$(date +%s.%N); end=$(redis_commands)
python3 -c "print(f'replay of a parked purchase (by the lease holder) {max(0, ($end - $start) - $idle * ($t1 - $t0) / $idle_seconds) / 40:.2f}')" >> "$OUT/redis-per-kind.txt"
burst "mode change (admin)" 20 curl -fsS -X PUT -H "Authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' -d '{"mode":"normal","reason":"bench"}' "$LB_CLUSTER/admin/api/mode"

# A queued buyer's cost: FILL joins of 2001's lobby through the cluster's balancer.
FILL=${FILL:-200000}
redis_memory() { redis-cli -p "$REDIS_PORT" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'; }
nodes_rss() { local s=0 pid; for p in "${NODES[@]}"; do pid=$(ss -Htlnp "sport = :$p" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2); s=$((s + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))); done; echo "$s"; }
lobby() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:${NODES[0]}/admin/api/status" | python3 -c 'import json,sys; print(sum(q["lobby"] for q in json.load(sys.stdin)["queues"] if q["performanceId"] == 2001))'; }
cat > "$WORK/fill.lua" <<'LUA'
wrk.method = "POST"
LUA
curl -fsS -X POST "$LB_CLUSTER/api/v1/performances/2001/queue" > /dev/null
sleep 2
m0=$(redis_memory); rss0=$(nodes_rss); l0=$(lobby); t0=$(date +%s.%N)
wrk -t2 -c64 -d300s -s "$WORK/fill.lua" "$LB_CLUSTER/api/v1/performances/2001/queue" > "$OUT/wrk-fill.txt" &
wrk_pid=$!; pids+=("$wrk_pid")
while kill -0 "$wrk_pid" 2>/dev/null && [ $(( $(lobby) - l0 )) -lt "$FILL" ]; do sleep 0.5; done
kill -INT "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true
t1=$(date +%s.%N); sleep 3
m1=$(redis_memory); rss1=$(nodes_rss); l1=$(lobby)
keys=0
for key in meta slots order rank admitted named clients; do
  keys=$((keys + $(redis-cli -p "$REDIS_PORT" memory usage "onsale:{room:2001}:$key" | grep -o '[0-9]*' || echo 0)))
done
python3 -c "
n = $l1 - $l0
print(f'{n} {n / ($t1 - $t0):.0f} {($m1 - $m0) / n:.1f} {$keys / $l1:.1f} {($rss1 - $rss0) * 1024 / n:.1f}')" > "$OUT/fill.txt"
echo "fill: $(cat "$OUT/fill.txt") (buyers, joins/s, Redis bytes per buyer, room keys per buyer, node RSS bytes per buyer)"

python3 - "$OUT/rounds.txt" "$OUT/redis-per-kind.txt" "$SECONDS_PER_RUN" "$ROUNDS" "$(date -u +%Y-%m-%d)" "$(nproc)" "$idle" "$idle_seconds" "$OUT/fill.txt" > "$OUT/cluster-section.md" <<'PY'
import statistics, sys
rounds_file, kinds_file, secs, rounds, day, cores, idle, idle_seconds, fill_file = sys.argv[1:]
runs = {}
for line in open(rounds_file):
    r, c, t, rps, p50, p99, total, calls, redis = line.split()
    runs.setdefault(int(c), {}).setdefault(int(r), {})[t] = dict(rps=float(rps), p99=float(p99), total=int(total), calls=int(calls), redis=int(redis))
med = lambda xs: statistics.median(xs)
print("## Several nodes on Redis (`bench/cluster.sh`)\n")
print(f"Measured {day} on this machine ({cores} cores, shared by everything below), {rounds} rounds × {secs} s per target and connection count, "
      "alternating the order. Targets: **one** embedded node read directly; **lb-one**: Debian's nginx as a load balancer (keepalive) "
      "in front of that node; **cluster**: the same nginx in front of three nodes with `Gateway:Store=Redis` on one redis-server "
      "(AOF, everysec). All five servers, Redis and wrk share the two cores, so the cluster cannot be faster here: the figures show "
      "what the balancer and the shared store cost, not what more machines give.\n")
print("| connections | cluster ÷ one | cluster ÷ lb-one | lb-one ÷ one | cluster p99 ÷ one p99 | backend calls per 10,000 reads (cluster) | Redis commands per read (cluster) |")
print("|---|---|---|---|---|---|---|")
for c in sorted(runs):
    rs = runs[c].values()
    ratio = lambda a, b: med([x[a]["rps"] / x[b]["rps"] for x in rs])
    p99 = med([x["cluster"]["p99"] / x["one"]["p99"] for x in rs])
    calls = med([x["cluster"]["calls"] * 10000 / x["cluster"]["total"] for x in rs])
    redis = med([x["cluster"]["redis"] / x["cluster"]["total"] for x in rs])
    print(f"| {c} | {ratio('cluster','one'):.2f} | {ratio('cluster','lb-one'):.2f} | {ratio('lb-one','one'):.2f} | {p99:.2f} | {calls:.2f} | {redis:.4f} |")
print(f"\nRedis commands per request through the cluster (less the nodes' own {int(idle) / int(idle_seconds):.1f} a second while idle: "
      "each node's beat, the backplane's and the locker's housekeeping):\n")
print("| request | Redis commands each |")
print("|---|---|")
for line in open(kinds_file):
    name, value = line.rsplit(" ", 1)
    print(f"| {name} | {value.strip()} |")
n, rate, redis_per, keys_per, rss_per = open(fill_file).read().split()
print(f"\nA lobby of {int(n):,} buyers joined through the cluster's balancer ({int(rate):,} joins/s): **{float(redis_per):.1f} bytes per queued "
      f"buyer in Redis** (its `used_memory`; the room's keys alone, `MEMORY USAGE`: {float(keys_per):.1f}), and {float(rss_per):.1f} bytes per "
      "buyer on the three nodes together (their RSS: noise around nothing, the nodes keep no place of their own).")
print("\nEvery round (req/s, p99 ms):\n")
print("| round | connections | one | lb-one | cluster |")
print("|---|---|---|---|---|")
for c in sorted(runs):
    for r, x in sorted(runs[c].items()):
        print(f"| {r} | {c} | {x['one']['rps']:,.0f} ({x['one']['p99']:.1f}) | {x['lb-one']['rps']:,.0f} ({x['lb-one']['p99']:.1f}) | {x['cluster']['rps']:,.0f} ({x['cluster']['p99']:.1f}) |")
PY
cat "$OUT/cluster-section.md"
python3 bench/results_section.py cluster "$OUT/cluster-section.md"
