#!/usr/bin/env bash
# Admission at the backend's real ceiling (issue 9), on loopback only: the on-sale simulation (bench/OnSaleSimulation)
# against a fresh mock and a fresh gateway that is told nothing of the box's caps, in three scenarios:
#   1. 2,000 buyers, 1,000 seats, the box bearing 50 calls/s and 16 in flight;
#   2. 20,000 buyers, 5,000 seats, the box bearing 100 calls/s;
#   3. the same, the box's caps halving 20 s into the sale and coming back 30 s later.
# With BASELINE_GATEWAY=/path/to/OnSale.Gateway.dll (a previous build), each scenario runs against it too, in the same
# run, so that the figures compare as ratios. Rewrites the admission section of bench/results.md.
# With CLUSTER=1, each scenario runs against one embedded node and against three nodes with Gateway:Store=Redis on one
# redis-server behind Debian's nginx (round robin), in the same run; rewrites the cluster-admission section instead.
# Every run is bounded (the simulator's run cap and timeout); about 4 minutes per build.
#   bench/admission.sh [scenario ...]       (default: 1 2 3)
#   REPORT_ONLY=1 bench/admission.sh [...]  rewrites the section from the last run's files in bench/out/admission
set -euo pipefail
cd "$(dirname "$0")/.."
started_at=$SECONDS
SCENARIOS=("${@:-1 2 3}")
# shellcheck disable=SC2206
SCENARIOS=(${SCENARIOS[*]})
MOCK=http://127.0.0.1:5290
GATEWAY=http://127.0.0.1:5291
ADMIN_KEY=bench-key
PERFORMANCE=2001
OUT=bench/out/admission${CLUSTER:+-cluster}
if [ -z "${REPORT_ONLY:-}" ]; then rm -rf "$OUT"; fi
mkdir -p "$OUT"
CURRENT_GATEWAY=src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll

if [ -z "${REPORT_ONLY:-}" ]; then
  dotnet build mocks/VenueBackend -c Release --nologo -v quiet
  dotnet build src/Gateway -c Release --nologo -v quiet
  dotnet build bench/OnSaleSimulation -c Release --nologo -v quiet
fi

pids=()
dirs=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for dir in "${dirs[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT
export Logging__LogLevel__Default=Warning
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_for() { for _ in $(seq 1 150); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }

# run_one BUILD-NAME GATEWAY-DLL SCENARIO: a fresh mock and gateway (empty data folder, per-client limits lifted since
# every simulated buyer comes from 127.0.0.1; no backend cap given), one simulation, its report in $OUT.
run_one() {
  local name=$1 dll=$2 scenario=$3 args
  case $scenario in
    1) args=(--buyers 2000 --seats 1000 --mock-cap 50 --mock-concurrency 16 --label "1. 2,000 buyers, 1,000 seats, box 50 calls/s and 16 in flight ($name)" --goodput-goal 0.90 --refused-goal 0.02) ;;
    2) args=(--buyers 20000 --seats 5000 --mock-cap 100 --label "2. 20,000 buyers, 5,000 seats, box 100 calls/s ($name)" --goodput-goal 0.90 --refused-goal 0.02) ;;
    3) args=(--buyers 20000 --seats 5000 --mock-cap 100 --cap-change-at 20 --cap-change-for 30 --cap-change-factor 0.5 --label "3. as 2, the caps halving 20 s into the sale for 30 s ($name)" --goodput-goal 0.80 --refused-goal 0.03) ;;
    *) echo "unknown scenario $scenario"; exit 2 ;;
  esac
  dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$MOCK" >> "$OUT/mock.log" 2>&1 &
  local mock_pid=$!; pids+=("$mock_pid")
  wait_for "$MOCK/control/stats"
  local data; data=$(mktemp -d); dirs+=("$data")
  local started=()
  node() { # address extra-args...: one gateway on a fresh data folder
    local address=$1; shift
    dotnet "$dll" --urls "$address" \
      --Gateway:Backend:Url="$MOCK/VenueService.svc" --Gateway:DataPath="$data/${address##*:}" \
      --Gateway:RateLimits:PerClientPerMinute=10000000 --Gateway:RateLimits:StatusPollsPerMinute=10000000 \
      --Gateway:RateLimits:StatusPollBurst=1000000 --Gateway:Purchasing:MaxParkedSeatsPerClient=100000 \
      --Gateway:Admin:ApiKey="$ADMIN_KEY" "$@" >> "$OUT/gateway-$name-$scenario.log" 2>&1 &
    pids+=($!); started+=($!)
  }
  if [ "$name" = cluster ]; then
    redis-server --port 5297 --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec --dir "$data" > "$OUT/redis-$scenario.log" 2>&1 &
    pids+=($!); started+=($!)
    for port in 5292 5293 5294; do
      node "http://127.0.0.1:$port" --Gateway:Store=Redis --Gateway:Redis:Configuration=127.0.0.1:5297
    done
    mkdir -p "$data/nginx/temp"
    cat > "$data/nginx/nginx.conf" <<NGINX
user root;
worker_processes 1;
daemon off;
pid $data/nginx/nginx.pid;
error_log $PWD/$OUT/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $data/nginx/temp/body;
  proxy_temp_path $data/nginx/temp/proxy;
  keepalive_requests 1000000000;
  upstream nodes { server 127.0.0.1:5292; server 127.0.0.1:5293; server 127.0.0.1:5294; keepalive 64; }
  server {
    listen ${GATEWAY#http://};
    location / { proxy_pass http://nodes; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
    /usr/sbin/nginx -p "$data/nginx/" -c "$data/nginx/nginx.conf" -e "$PWD/$OUT/nginx-error.log" &
    pids+=($!); started+=($!)
    for port in 5292 5293 5294; do wait_for "http://127.0.0.1:$port/readyz"; done
  else
    node "$GATEWAY"
  fi
  wait_for "$GATEWAY/readyz"
  set +e
  timeout 480 dotnet bench/OnSaleSimulation/bin/Release/net10.0/OnSale.Bench.OnSaleSimulation.dll \
    --gateway "$GATEWAY" --mock "$MOCK" --admin-key "$ADMIN_KEY" --performance "$PERFORMANCE" --zone 1 \
    --open-in 30 --sold-out-patience 20 --max-run 400 --out "$OUT/$name-$scenario" "${args[@]}" | tee "$OUT/$name-$scenario.txt"
  local rc=${PIPESTATUS[0]}
  set -e
  for pid in "${started[@]}"; do stop "$pid"; done
  stop "$mock_pid"
  [ -s "$OUT/$name-$scenario.md" ] || { echo "scenario $scenario ($name) wrote no report (exit $rc)"; exit 1; }
}

for scenario in "${SCENARIOS[@]}"; do
  [ -n "${REPORT_ONLY:-}" ] && break
  run_one this "$CURRENT_GATEWAY" "$scenario"
  if [ -n "${BASELINE_GATEWAY:-}" ]; then run_one previous "$BASELINE_GATEWAY" "$scenario"; fi
  if [ -n "${CLUSTER:-}" ]; then run_one cluster "$CURRENT_GATEWAY" "$scenario"; fi
done

# The summary table: each scenario's measures for this build, and the previous build's beside them as ratios.
python3 - "$OUT" "${SCENARIOS[@]}" > "$OUT/summary.md" <<'PY'
import json, os, re, sys
out, scenarios = sys.argv[1], sys.argv[2:]
def load(name, s):
    path = os.path.join(out, f"{name}-{s}.json")
    return json.load(open(path)) if os.path.exists(path) else None
def server_p99(name, s):
    # The gateway's own histogram of status checks (bucket bounds), from the scenario's report.
    m = re.search(r"status checks\s*p50 ≤ [^,]+, p99 ≤ ([^;]+);", open(os.path.join(out, f"{name}-{s}.md"), encoding="utf-8").read())
    return m.group(1) if m else "n/a"
print("| scenario | build | goodput ÷ maximum | refused ÷ calls | sold out (s) | status p99, client (ms) | status p99, gateway | oversold | no terminal answer |")
print("|---|---|---|---|---|---|---|---|---|")
for s in scenarios:
    this, prev, cluster = load("this", s), load("previous", s), load("cluster", s)
    for name, r in (("this", this), ("previous", prev), ("three Redis nodes", cluster)):
        if r is None:
            continue
        file = "cluster" if r is cluster else name
        print(f"| {s} | {name} | {r['goodputFraction']:.2f} | {r['refusedShare']*100:.1f} % | {r['soldOutAt']:.1f} | {r['statusP99Ms']:.1f} | ≤ {server_p99(file, s)} | {r['oversold']} | {r['withoutTerminalAnswer']} |")
    ratio = lambda a, b: f"{a / b:.2f}×" if b else "–"
    for label, other in (("this ÷ previous", prev), ("three Redis nodes ÷ one embedded", cluster)):
        if this and other:
            a, b = (this, other) if other is prev else (other, this)
            print(f"| {s} | {label} | {ratio(a['goodputFraction'], b['goodputFraction'])} | {ratio(a['refusedShare'], b['refusedShare'])} | {ratio(a['soldOutAt'], b['soldOutAt'])} | {ratio(a['statusP99Ms'], b['statusP99Ms'])} | | | |")
PY

elapsed=$((SECONDS - started_at))
{
  if [ -n "${CLUSTER:-}" ]; then
    echo "## The on-sale through three nodes on Redis (\`CLUSTER=1 bench/admission.sh\`)"
    echo
    echo "Each scenario against one embedded node and, in the same run, against three nodes with \`Gateway:Store=Redis\` on one"
    echo "redis-server (AOF, everysec) behind Debian's nginx (round robin, nothing sticky): one line, one admission limit and the"
    echo "backend's budget for the cluster. All of it (simulator, nginx, three nodes, Redis, mock) on the same two cores."
  else
    echo "## Admission at the backend's ceiling (\`bench/admission.sh\`)"
  fi
  echo
  echo "Measured by \`bench/admission.sh\` on $(date -u +%Y-%m-%d) on this machine ($(nproc) cores, shared, loopback only), gateway and"
  echo "mock in Release, SOAP; the gateway is **told nothing of the box's caps** (no"
  echo "\`MaxBackendCallsPerSecond\`), default waiting-room settings, per-client rate limits lifted (every buyer is 127.0.0.1)."
  echo "Each buyer polls honouring \`Retry-After\` and makes one one-shot purchase of 1–4 seats; the sale opens 30 s after set-up."
  if [ -n "${BASELINE_GATEWAY:-}" ]; then echo "The previous build (\`BASELINE_GATEWAY\`) ran each scenario in the same run, against its own fresh mock."; fi
  if [ -n "${REPORT_ONLY:-}" ]; then echo "Written again from that run's files (\`REPORT_ONLY=1\`)."; else echo "The script took ${elapsed} s."; fi
  echo
  cat "$OUT/summary.md"
  echo
  echo 'Status p99, client: what the simulated buyers saw, on the same two cores as the gateway and the mock (20,000 buyers'
  echo 'in one process); gateway: its own `http_server_request_duration_seconds` for status checks (an upper bucket bound),'
  echo 'from reading the request to writing the answer. They differ in the seconds around an opening, when the whole lobby'
  echo 'polls at once and the sale runs at the box'"'"'s pace: each scenario below shows its status checks before and after.'
  echo
  for scenario in "${SCENARIOS[@]}"; do
    for name in this previous cluster; do
      if [ -s "$OUT/$name-$scenario.md" ]; then
        sed -n '1,/^### On-sale simulation/p' "$OUT/$name-$scenario.md" | sed '$d'
        echo '| status checks, client-side (ms) | samples | p50 | p99 | max |'
        echo '|---|---|---|---|---|'
        grep -E '^\| status' "$OUT/$name-$scenario.md"
        echo
      fi
    done
  done
} > "$OUT/admission-section.md"
section=admission; [ -n "${CLUSTER:-}" ] && section=cluster-admission
python3 bench/results_section.py "$section" "$OUT/admission-section.md"
echo "wrote the $section section of bench/results.md"
