"""Reads a `wrk --latency` report; prints "requests_per_second p50_ms p99_ms total_requests".

Fails (exit non-zero) on any non-2xx answer, so no benchmark counts errors as throughput.
Used by run.sh and waitingroom.sh:  python3 bench/wrk_summary.py wrk.txt
"""
import re
import sys

text = open(sys.argv[1]).read()


def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors:
    sys.exit(f"non-2xx answers: {errors.group(1)}")
print(f"{rps:.0f} {ms('50%'):.3f} {ms('99%'):.3f} {total}")
