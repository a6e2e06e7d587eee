#!/usr/bin/env bash
# Availability read benchmark: the gateway's cached availability read against a bare ASP.NET Core endpoint returning
# the same bytes, and against the peer a user would pick instead of the gateway's cache: Debian's nginx with
# proxy_cache in front of that bare endpoint. Side by side in one run on loopback, at 64 and at 256 connections,
# reported as ratios (this machine is shared and noisy; absolute numbers drift, ratios measured in the same run do
# not). Besides throughput and latency it reads each server's CPU time (utime + stime from /proc, nginx's master and
# workers together) around every wrk run: CPU per request moves far less than throughput when other work shares the
# machine. Optionally a previous build of the gateway runs beside this one as another target
# (BASELINE_GATEWAY=/path/to/OnSale.Gateway.dll), to show what a change did. Rewrites the availability section of
# bench/results.md (between its markers; other sections stay). Takes about 8 minutes (10 with a baseline).
#   bench/run.sh [seconds-per-run] [rounds]
#   BASELINE_GATEWAY=../before/src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll bench/run.sh
#   PORT_BASE=5290 bench/run.sh    (its servers on 5290-5299 where something else holds 5190-5199)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-6}
ROUNDS=${2:-8}
CONNECTION_COUNTS=(64 256)
THREADS=2
PORT_BASE=${PORT_BASE:-5190}
MOCK=http://127.0.0.1:$PORT_BASE
GATEWAY=http://127.0.0.1:$((PORT_BASE + 1))
BASELINE=http://127.0.0.1:$((PORT_BASE + 2))
BASELINE_MOCK=http://127.0.0.1:$((PORT_BASE + 3))
BARE_AGAIN=http://127.0.0.1:$((PORT_BASE + 7))
BARE=http://127.0.0.1:$((PORT_BASE + 8))
NGINX=http://127.0.0.1:$((PORT_BASE + 9))
PATH_UNDER_TEST=/api/v1/performances/1001/availability
FRESH_SECONDS=2
OUT=bench/out
mkdir -p "$OUT"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build mocks/VenueBackend -c Release --nologo -v quiet
dotnet build src/Gateway -c Release --nologo -v quiet
dotnet build bench/BareEndpoint -c Release --nologo -v quiet

pids=()
NGINX_DIR=$(mktemp -d)
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$NGINX_DIR"; }
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
targets=(gateway bare nginx)
if [ -n "${BASELINE_GATEWAY:-}" ]; then
  # A mock of its own, so that the backend calls counted below are this build's alone.
  dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$BASELINE_MOCK" > "$OUT/baseline-mock.log" 2>&1 & pids+=($!)
  start_gateway baseline "$BASELINE_GATEWAY" "$BASELINE" "$BASELINE_MOCK"
  targets+=(baseline)
fi

wait_for() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
wait_for "$MOCK/control/stats"
[ -z "${url[baseline]:-}" ] || wait_for "$BASELINE_MOCK/control/stats"
for t in gateway baseline; do [ -z "${url[$t]:-}" ] || wait_for "${url[$t]}/readyz"; done
curl -fsS "$GATEWAY$PATH_UNDER_TEST" > "$OUT/availability.json"
dotnet bench/BareEndpoint/bin/Release/net10.0/OnSale.Bench.BareEndpoint.dll --urls "$BARE" --body "$OUT/availability.json" > "$OUT/bare.log" 2>&1 &
pids+=($!); pid[bare]=$!; url[bare]=$BARE
wait_for "$BARE$PATH_UNDER_TEST"
# The same bare endpoint a second time, measured as one more target: two identical servers differ only by this machine's
# noise, so "bare again ÷ bare" shows how far apart two rounds' ratios fall when nothing differs (an A/A control).
dotnet bench/BareEndpoint/bin/Release/net10.0/OnSale.Bench.BareEndpoint.dll --urls "$BARE_AGAIN" --body "$OUT/availability.json" > "$OUT/bare-again.log" 2>&1 &
pids+=($!); pid[again]=$!; url[again]=$BARE_AGAIN
wait_for "$BARE_AGAIN$PATH_UNDER_TEST"

# nginx as a user would set it up as a cache in front of the bare endpoint: one worker per core, keepalive to the
# upstream, the answer valid for the gateway's fresh period, one request at a time filling the cache (lock), stale
# answers while one refreshes or when the upstream fails. Clients' connections stay open as long as wrk keeps them,
# as Kestrel keeps them (nginx's default closes each after 1,000 requests). Every request nginx sends to the bare
# endpoint (a miss or an expiry) is written to fetched.log and nothing else is logged: its line count shows how many
# reads did not come from nginx's cache. X-Cache-Status ($upstream_cache_status) is sampled during every run.
mkdir -p "$NGINX_DIR/temp"
cat > "$NGINX_DIR/nginx.conf" <<NGINX
user root;
worker_processes auto;
daemon off;
pid $NGINX_DIR/nginx.pid;
error_log $PWD/$OUT/nginx-error.log warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  client_body_temp_path $NGINX_DIR/temp/body;
  proxy_temp_path $NGINX_DIR/temp/proxy;
  fastcgi_temp_path $NGINX_DIR/temp/fastcgi;
  uwsgi_temp_path $NGINX_DIR/temp/uwsgi;
  scgi_temp_path $NGINX_DIR/temp/scgi;
  keepalive_requests 1000000000;
  proxy_cache_path $NGINX_DIR/cache keys_zone=availability:1m;
  upstream bare {
    server ${BARE#http://};
    keepalive 32;
  }
  map \$upstream_cache_status \$fetched {
    MISS 1;
    EXPIRED 1;
    default 0;
  }
  log_format fetched '\$upstream_cache_status';
  server {
    listen ${NGINX#http://};
    location / {
      proxy_pass http://bare;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache availability;
      proxy_cache_valid 200 ${FRESH_SECONDS}s;
      proxy_cache_lock on;
      proxy_cache_use_stale updating error timeout;
      add_header X-Cache-Status \$upstream_cache_status;
      access_log $NGINX_DIR/fetched.log fetched if=\$fetched;
    }
  }
}
NGINX
touch "$NGINX_DIR/fetched.log"
/usr/sbin/nginx -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$PWD/$OUT/nginx-error.log" &
pids+=($!); pid[nginx]=$!; url[nginx]=$NGINX
wait_for "$NGINX$PATH_UNDER_TEST"
targets+=(again)
cmp -s <(curl -fsS "$NGINX$PATH_UNDER_TEST") "$OUT/availability.json" || { echo "nginx does not answer the gateway's bytes"; exit 1; }

mock_calls() { curl -fsS "$1/control/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"]["GetAvailability"])'; }
# What each target sent on to its backend: the gateway's GetAvailability calls (its mock's stats), nginx's requests to
# the bare endpoint (fetched.log); the bare endpoint has none.
backend_calls() {
  case $1 in
    gateway) mock_calls "$MOCK" ;;
    baseline) mock_calls "$BASELINE_MOCK" ;;
    nginx) wc -l < "$NGINX_DIR/fetched.log" ;;
    *) echo 0 ;;
  esac
}
# A server's CPU ticks, with those of its live children (nginx's workers).
cpu_ticks() {
  local total=0 p
  for p in "$1" $(ps -o pid= --ppid "$1"); do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$total"
}
TICKS=$(getconf CLK_TCK)

# One wrk run against a target at a number of connections; prints
# "requests_per_second p50_ms p99_ms total_requests cpu_us_per_request backend_calls cache_status" (nginx's
# X-Cache-Status halfway through the run; "-" for the other targets).
measure() {
  local before after calls_before calls_after wrk_pid cache=-
  calls_before=$(backend_calls "$1")
  before=$(cpu_ticks "${pid[$1]}")
  wrk -t"$THREADS" -c"$2" -d"${SECONDS_PER_RUN}s" --latency "${url[$1]}$PATH_UNDER_TEST" > "$OUT/wrk.txt" &
  wrk_pid=$!
  if [ "$1" = nginx ]; then
    sleep "$((SECONDS_PER_RUN / 2))"
    cache=$(curl -fsS -o /dev/null -D - "$NGINX$PATH_UNDER_TEST" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache-status" {print $2}' || true)
  fi
  wait "$wrk_pid"
  after=$(cpu_ticks "${pid[$1]}")
  calls_after=$(backend_calls "$1")
  read -r rps p50 p99 total < <(python3 bench/wrk_summary.py "$OUT/wrk.txt")
  echo "$rps $p50 $p99 $total $(python3 -c "print(f'{($after - $before) * 1e6 / $TICKS / $total:.1f}')") $((calls_after - calls_before)) ${cache:-none}"
}

# Warm every target (JIT, connection pools, nginx's cache), then rotate which goes first in each round.
for t in "${targets[@]}"; do wrk -t"$THREADS" -c"${CONNECTION_COUNTS[-1]}" -d5s "${url[$t]}$PATH_UNDER_TEST" >/dev/null; done

: > "$OUT/rounds.txt"
load_before=$(cut -d' ' -f1 /proc/loadavg)
for round in $(seq 1 "$ROUNDS"); do
  order=("${targets[@]:$(( (round - 1) % ${#targets[@]} ))}" "${targets[@]:0:$(( (round - 1) % ${#targets[@]} ))}")
  for connections in "${CONNECTION_COUNTS[@]}"; do
    for t in "${order[@]}"; do
      read -r rps p50 p99 total us calls cache < <(measure "$t" "$connections")
      echo "$round $connections $t $rps $p50 $p99 $total $us $calls $cache" >> "$OUT/rounds.txt"
      note=""; [ "$cache" = - ] || note=", X-Cache-Status $cache"
      echo "round $round, $connections connections: $t $rps req/s (p99 $p99 ms, $us µs CPU per request, $calls backend calls$note)"
    done
  done
done

load_after=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$OUT/rounds.txt" "$SECONDS_PER_RUN" "$ROUNDS" "$THREADS" "$PATH_UNDER_TEST" "$FRESH_SECONDS" \
  "$(date -u +%Y-%m-%d)" "$(nproc)" "$(/usr/sbin/nginx -v 2>&1 | sed 's|.*/||')" "$load_before" "$load_after" > "$OUT/availability-section.md" <<'PY'
import statistics, sys
rounds_file, secs, rounds, threads, path, fresh, day, cores, nginx_version, load_before, load_after = sys.argv[1:]
runs = {}  # connections -> round -> target -> figures
for line in open(rounds_file):
    r, conns, t, rps, p50, p99, total, us, calls, cache = line.split()
    runs.setdefault(int(conns), {}).setdefault(int(r), {})[t] = dict(
        rps=float(rps), p50=float(p50), p99=float(p99), total=int(total), us=float(us), calls=int(calls), cache=cache)
counts = sorted(runs)
baseline = all("baseline" in v for c in counts for v in runs[c].values())
med = statistics.median

def ratio(c, f):
    return med([f(v) for v in runs[c].values()])

def spread(c, f):
    # The middle half of the rounds' ratios (first to third quartile).
    xs = sorted(f(v) for v in runs[c].values())
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return q[0], q[2]

def with_spread(c, f):
    lo, hi = spread(c, f)
    return f"{ratio(c, f):.2f} ({lo:.2f}–{hi:.2f})"

def same_server(v):
    return v["again"]["rps"] / v["bare"]["rps"]

def per_10k(c, t):
    calls = sum(v[t]["calls"] for v in runs[c].values())
    reads = sum(v[t]["total"] for v in runs[c].values())
    return calls * 10000 / reads, calls, reads

print("## Cached availability read (`bench/run.sh`)\n")
print(f"Measured by `bench/run.sh` on {day} on this machine ({cores} cores, shared, loopback only), with wrk {threads} threads at")
print(f"{' and '.join(map(str, counts))} connections, {rounds} rounds of {secs} s per target and connection count, the order of the targets rotating.")
print("The gateway runs in Release against the mock backend (SOAP), Embedded store, default settings (availability fresh")
print(f"for {fresh} s). **bare** is a bare ASP.NET Core endpoint (`bench/BareEndpoint`) returning the same bytes. **nginx** is Debian's")
print(f"nginx {nginx_version} with `proxy_cache` in front of that bare endpoint, as a user would set it up instead of the gateway's cache:")
print(f"`worker_processes auto`, upstream `keepalive`, `proxy_cache_valid 200 {fresh}s` (the same fresh period), `proxy_cache_lock on`,")
print("`proxy_cache_use_stale updating error timeout`, clients' connections kept open. CPU per request is each server's")
print("utime + stime over the run (nginx: its master and workers) divided by the requests it answered. Absolute numbers drift")
print(f"on a shared machine; the ratios are measured side by side. The 1-minute load average was {load_before} as the rounds began")
print(f"and {load_after} as they ended (this run's servers and wrk included).")
print("**bare again** is a second, identical bare endpoint measured as one more target: \"bare again ÷ bare\" is what this machine's")
print("noise alone does to a ratio (an A/A control). In brackets: the middle half of the rounds' ratios (first to third quartile).")
if baseline:
    print("A previous build of the gateway (`BASELINE_GATEWAY`) ran beside this one as another target, with a mock of its own.")

goals = [
    ("cached read ÷ bare endpoint (throughput)", lambda v: v["gateway"]["rps"] / v["bare"]["rps"], lambda x: x >= 0.90, "≥ 0.90"),
    ("cached read ÷ nginx (throughput)", lambda v: v["gateway"]["rps"] / v["nginx"]["rps"], lambda x: x >= 1.0, "≥ 1.0"),
    ("gateway p99 ÷ bare endpoint's p99", lambda v: v["gateway"]["p99"] / v["bare"]["p99"], lambda x: x <= 1.3, "≤ 1.3"),
]
print("\n### Goals (issue 10), medians of rounds (middle half of the rounds)\n")
print("| goal | " + " | ".join(f"{c} connections" for c in counts) + " | met |")
print("|---|" + "---|" * len(counts) + "---|")
for name, f, met, target in goals:
    print(f"| {name} {target} | " + " | ".join(with_spread(c, f) for c in counts)
          + f" | {'**yes**' if all(met(ratio(c, f)) for c in counts) else '**no**'} |")
print("| *A/A control: bare again ÷ bare (the same server twice)* | " + " | ".join(with_spread(c, same_server) for c in counts) + " | |")

print(f"\n### `GET {path}`, medians of rounds\n")
print("| | " + " | ".join(f"{c} connections" for c in counts) + " |")
print("|---|" + "---|" * len(counts))
rows = [
    ("gateway ÷ bare (throughput)", lambda c: f"{ratio(c, lambda v: v['gateway']['rps'] / v['bare']['rps']):.2f}"),
    ("gateway ÷ nginx (throughput)", lambda c: f"{ratio(c, lambda v: v['gateway']['rps'] / v['nginx']['rps']):.2f}"),
    ("nginx ÷ bare (throughput)", lambda c: f"{ratio(c, lambda v: v['nginx']['rps'] / v['bare']['rps']):.2f}"),
    ("bare again ÷ bare (throughput; the same server twice)", lambda c: f"{ratio(c, same_server):.2f}"),
    ("gateway p99 ÷ bare p99", lambda c: f"{ratio(c, lambda v: v['gateway']['p99'] / v['bare']['p99']):.2f}"),
    ("gateway p99 ÷ nginx p99", lambda c: f"{ratio(c, lambda v: v['gateway']['p99'] / v['nginx']['p99']):.2f}"),
    ("p99 ms: gateway / bare / nginx", lambda c: " / ".join(f"{ratio(c, lambda v, t=t: v[t]['p99']):.2f}" for t in ("gateway", "bare", "nginx"))),
    ("CPU per request: gateway ÷ bare", lambda c: f"{ratio(c, lambda v: v['gateway']['us'] / v['bare']['us']):.2f}×"),
    ("CPU per request: gateway ÷ nginx", lambda c: f"{ratio(c, lambda v: v['gateway']['us'] / v['nginx']['us']):.2f}×"),
    ("gateway: backend calls per 10,000 reads", lambda c: "{:.3f} ({} GetAvailability calls for {} reads)".format(*per_10k(c, "gateway"))),
    ("nginx: requests to the bare endpoint per 10,000 reads", lambda c: "{:.3f} ({} for {} reads)".format(*per_10k(c, "nginx"))),
    ("nginx's X-Cache-Status sampled halfway through each run", lambda c: ", ".join(v["nginx"]["cache"] for _, v in sorted(runs[c].items()))),
]
if baseline:
    rows += [
        ("gateway ÷ previous build (throughput)", lambda c: f"{ratio(c, lambda v: v['gateway']['rps'] / v['baseline']['rps']):.2f}"),
        ("CPU per request: gateway ÷ previous build", lambda c: f"{ratio(c, lambda v: v['gateway']['us'] / v['baseline']['us']):.2f}×"),
        ("previous build ÷ bare (throughput)", lambda c: f"{ratio(c, lambda v: v['baseline']['rps'] / v['bare']['rps']):.2f}"),
    ]
for name, figure in rows:
    print(f"| {name} | " + " | ".join(figure(c) for c in counts) + " |")

print("\n### Rounds\n")
head = "| round | connections | gateway req/s | bare req/s | nginx req/s | gateway ÷ bare | gateway ÷ nginx | gateway p50 ms | gateway p99 ms | bare p99 ms | nginx p99 ms | gateway µs CPU/req | bare µs CPU/req | nginx µs CPU/req | bare again req/s |"
sep = "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
if baseline:
    head += " previous req/s | gateway ÷ previous | previous µs CPU/req |"
    sep += "---|---|---|"
print(head); print(sep)
for c in counts:
    for r, v in sorted(runs[c].items()):
        g, b, n = v["gateway"], v["bare"], v["nginx"]
        line = (f"| {r} | {c} | {g['rps']:.0f} | {b['rps']:.0f} | {n['rps']:.0f} | {g['rps']/b['rps']:.2f} | {g['rps']/n['rps']:.2f} | {g['p50']:.3f} | "
                f"{g['p99']:.3f} | {b['p99']:.3f} | {n['p99']:.3f} | {g['us']:.1f} | {b['us']:.1f} | {n['us']:.1f} | {v['again']['rps']:.0f} |")
        if baseline:
            p = v["baseline"]
            line += f" {p['rps']:.0f} | {g['rps']/p['rps']:.2f} | {p['us']:.1f} |"
        print(line)
PY
# Only this script's section of bench/results.md is rewritten; the other sections stay.
python3 bench/results_section.py availability "$OUT/availability-section.md"
sed -n '/^### Goals/,/^### Rounds/p' "$OUT/availability-section.md"
