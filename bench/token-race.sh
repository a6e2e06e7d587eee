#!/usr/bin/env bash
# The per-token race: an admitted buyer sends twenty purchases of ten seats at the same instant with one access token.
# The gateway must confirm at most the buyer's fair share (Gateway:WaitingRoom:SeatsPerBuyer, 10) and refuse the rest
# with a problem of its own code; what was sold is counted from the mock's own orders. Optionally the same against a
# previous build (BASELINE_GATEWAY=/path/to/OnSale.Gateway.dll), to show what it did. Loopback only, bounded (RUNS runs).
# Rewrites the token-race section of bench/results.md. Takes under a minute.
#   bench/token-race.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
OUT=bench/out/token-race
mkdir -p "$OUT"

dotnet build mocks/VenueBackend -c Release --nologo -v quiet
dotnet build src/Gateway -c Release --nologo -v quiet

pids=(); dirs=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "${dirs[@]}"; }
trap cleanup EXIT
wait_for() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
export Logging__LogLevel__Default=Warning

# race NAME DLL MOCK_PORT GATEWAY_PORT: a fresh mock and gateway with the waiting room always on (ActivationThreshold 0).
race() {
  local mock=http://127.0.0.1:$3 gateway=http://127.0.0.1:$4 data
  data=$(mktemp -d); dirs+=("$data")
  dotnet mocks/VenueBackend/bin/Release/net10.0/OnSale.Mocks.VenueBackend.dll --urls "$mock" > "$OUT/$1-mock.log" 2>&1 & pids+=($!)
  dotnet "$2" --urls "$gateway" --Gateway:Backend:Url="$mock/VenueService.svc" --Gateway:DataPath="$data" \
    --Gateway:WaitingRoom:ActivationThreshold=0 --Gateway:WaitingRoom:AdmissionInterval=00:00:00.100 \
    --Gateway:RateLimits:PerClientPerMinute=10000000 > "$OUT/$1.log" 2>&1 & pids+=($!)
  wait_for "$mock/control/stats"; wait_for "$gateway/readyz"
  python3 bench/token_race.py "$gateway" "$mock" "$RUNS" 20 10 > "$OUT/$1.jsonl"
}

race gateway src/Gateway/bin/Release/net10.0/OnSale.Gateway.dll 5490 5491
[ -n "${BASELINE_GATEWAY:-}" ] && race previous "$BASELINE_GATEWAY" 5492 5493

python3 - "$OUT" "$RUNS" "$(date -u +%Y-%m-%d)" > "$OUT/section.md" <<'PY'
import json, os, sys
out, runs, day = sys.argv[1:]
print("## The per-token race (`bench/token-race.sh`)\n")
print(f"Measured on {day}: an admitted buyer (one access token, waiting room on) sends 20 purchases of 10 seats at the same")
print(f"instant (a barrier releases 20 threads), {runs} runs, each with a fresh place in line; seats sold are counted from the mock's")
print("own orders. The buyer's fair share is `Gateway:WaitingRoom:SeatsPerBuyer` = 10.\n")
print("| build | run | purchases created | refused (status code) | seats sold | backend orders |")
print("|---|---|---|---|---|---|")
for name, label in (("gateway", "this build"), ("previous", "previous build")):
    path = os.path.join(out, name + ".jsonl")
    if not os.path.exists(path):
        continue
    for line in open(path):
        r = json.loads(line)
        refused = ", ".join(f"{n} × {k}" for k, n in sorted(r["refused"].items())) or "—"
        print(f"| {label} | {r['run']} | {r['created']} | {refused} | {r['seats']} | {r['orders']} |")
mine = [json.loads(l) for l in open(os.path.join(out, "gateway.jsonl"))]
print(f"\n- **This build: at most {max(r['seats'] for r in mine)} seats sold per token** in every run (the share is 10), "
      f"{sum(r['orders'] for r in mine)} backend orders in {len(mine)} runs.")
PY
python3 bench/results_section.py token-race "$OUT/section.md"
cat "$OUT/section.md"
