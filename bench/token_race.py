#!/usr/bin/env python3
"""One buyer, one access token, twenty purchases of ten seats sent at the same instant (loopback only).

    python3 bench/token_race.py GATEWAY MOCK [RUNS] [PURCHASES] [SEATS]

Each run takes a fresh place in the queue of performance 1002 (the gateway is started with the waiting room on:
ActivationThreshold 0), waits until it is admitted, then releases PURCHASES threads at once through a barrier, each
posting one purchase of SEATS seats with its own Idempotency-Key and the same Bearer access token. It prints one line
per run, "created refused_by_code seats_sold orders", counting what the gateway answered and what the mock's own
records say was sold (GET /control/orders), so that a gateway that answers "no" but sells anyway cannot pass.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

gateway, mock = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
purchases = int(sys.argv[4]) if len(sys.argv) > 4 else 20
seats = int(sys.argv[5]) if len(sys.argv) > 5 else 10
PERFORMANCE = 1002


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def orders():
    return call("GET", f"{mock}/control/orders")[1]


for run in range(1, runs + 1):
    before = orders()
    _, joined = call("POST", f"{gateway}/api/v1/performances/{PERFORMANCE}/queue", {})
    queue_token = joined["queueToken"]
    deadline = time.time() + 60
    status = joined
    while status.get("state") != "admitted":
        if time.time() > deadline:
            sys.exit(f"run {run}: never admitted: {status}")
        time.sleep(0.2)
        _, status = call("GET", f"{gateway}/api/v1/performances/{PERFORMANCE}/queue", headers={"Authorization": f"Bearer {queue_token}"})
    token = status["accessToken"]

    barrier = threading.Barrier(purchases)
    answers = []
    lock = threading.Lock()

    def buy(i):
        barrier.wait()
        code, body = call(
            "POST", f"{gateway}/api/v1/purchases",
            {"performanceId": PERFORMANCE, "zoneId": 1, "quantity": seats, "paymentToken": "tok_ok", "email": f"race{run}@example.com"},
            {"Authorization": f"Bearer {token}", "Idempotency-Key": f"race-{run}-{i}"})
        with lock:
            answers.append((code, (body or {}).get("code") or (body or {}).get("status")))

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(purchases)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    new = orders()[len(before):]
    created = sum(1 for code, _ in answers if code in (201, 202))
    refused = Counter(f"{code} {what}" for code, what in answers if code not in (201, 202))
    print(json.dumps({"run": run, "created": created, "refused": refused, "seats": sum(len(o["seats"]) for o in new), "orders": len(new)}))
