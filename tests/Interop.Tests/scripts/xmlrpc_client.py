#!/usr/bin/env python3
"""An independent XML-RPC client of our mock backend: Python's standard xmlrpc.client.

It runs the contract's whole purchase scenario plus the fault cases against the mock's seed data (performance
1001 "Hamlet" at "Royal Hall"; zone 1 Stalls, 400 seats, 8500 cents; zone 2 Balcony, 200 seats, 4500 cents)
and checks the values and their Python types itself: xmlrpc.client decodes <int> to int, <string> to str,
<boolean> to bool and <dateTime.iso8601> to xmlrpc.client.DateTime, so a wrongly typed value shows up here.

Usage: python3 xmlrpc_client.py <rpc2Url> [clientReference]
  e.g. python3 xmlrpc_client.py http://127.0.0.1:5091/RPC2 ref-by-hand-1
Prints one JSON line: {"ok", "failures", "orderId", "seats", "calls"}; exits 0 only when ok.
"""

import datetime
import json
import os
import sys
import time
import xmlrpc.client

failures = []
calls = 0


def fail(message):
    failures.append(message)


def expect(condition, message):
    if not condition:
        fail(message)
    return condition


def expect_int(value, what):
    # bool is an int subclass in Python; a <boolean> is not an <int>.
    return expect(type(value) is int, "%s: expected <int>, got %s %r" % (what, type(value).__name__, value))


def expect_str(value, what):
    return expect(type(value) is str, "%s: expected <string>, got %s %r" % (what, type(value).__name__, value))


def expect_datetime(value, what):
    if isinstance(value, datetime.datetime):
        return True
    if not expect(isinstance(value, xmlrpc.client.DateTime),
                  "%s: expected <dateTime.iso8601>, got %s %r" % (what, type(value).__name__, value)):
        return False
    # The contract's form is YYYYMMDDTHH:MM:SS (UTC, no offset); xmlrpc.client keeps the text as sent.
    text = value.value
    try:
        datetime.datetime.strptime(text, "%Y%m%dT%H:%M:%S")
        return True
    except ValueError:
        fail("%s: dateTime.iso8601 %r is not YYYYMMDDTHH:MM:SS" % (what, text))
        return False


def expect_equal(actual, expected, what):
    return expect(actual == expected and type(actual) is type(expected),
                  "%s: expected %r, got %r" % (what, expected, actual))


def expect_struct(value, fields, what):
    """A struct with exactly the contract's camelCase members."""
    if not expect(isinstance(value, dict), "%s: expected <struct>, got %s %r" % (what, type(value).__name__, value)):
        return False
    # An implementation may add members (CONTRACT.md); the contract's own must be there, spelled as written.
    missing = [f for f in fields if f not in value]
    expect(not missing, "%s: missing members %s (has %s)" % (what, missing, sorted(value)))
    return not missing


class CheckingTransport(xmlrpc.client.Transport):
    """xmlrpc.client does not look at the response's Content-Type; the XML-RPC spec says text/xml."""

    def parse_response(self, response):
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        expect(content_type == "text/xml",
               "response Content-Type %r, expected text/xml" % response.getheader("Content-Type"))
        return super().parse_response(response)


class Proxy:
    """Counts the calls made."""

    def __init__(self, url):
        self.server = xmlrpc.client.ServerProxy(
            url, transport=CheckingTransport(), allow_none=False, use_datetime=False, use_builtin_types=False)

    def call(self, method, *params):
        global calls
        calls += 1
        return getattr(self.server, method)(*params)


def check_hold(hold, what, quantity):
    if not expect_struct(hold, ["lineItemId", "performanceId", "zoneId", "quantity", "seats", "expiresAt"], what):
        return None
    expect_int(hold["lineItemId"], what + ".lineItemId")
    expect_equal(hold["performanceId"], 1001, what + ".performanceId")
    expect_equal(hold["zoneId"], 1, what + ".zoneId")
    expect_equal(hold["quantity"], quantity, what + ".quantity")
    seats = hold["seats"]
    if expect(isinstance(seats, list), "%s.seats: expected <array>, got %r" % (what, seats)):
        expect(len(seats) == quantity, "%s: %d seats, expected %d" % (what, len(seats), quantity))
        for i, seat in enumerate(seats):
            expect_str(seat, "%s.seats[%d]" % (what, i))
        expect(len(set(seats)) == len(seats), "%s: seats not distinct: %r" % (what, seats))
    expect_datetime(hold["expiresAt"], what + ".expiresAt")
    return hold


def check_order(order, what, reference, expected_seats):
    fields = ["orderId", "clientReference", "performanceId", "zoneId", "seats", "totalCents"]
    if not expect_struct(order, fields, what):
        return None
    expect_int(order["orderId"], what + ".orderId")
    expect_equal(order["clientReference"], reference, what + ".clientReference")
    expect_equal(order["performanceId"], 1001, what + ".performanceId")
    expect_equal(order["zoneId"], 1, what + ".zoneId")
    seats = order["seats"]
    if expect(isinstance(seats, list), "%s.seats: expected <array>, got %r" % (what, seats)):
        for i, seat in enumerate(seats):
            expect_str(seat, "%s.seats[%d]" % (what, i))
        expect(sorted(seats) == sorted(expected_seats),
               "%s: seats %r, expected the held seats %r" % (what, seats, expected_seats))
    expect_equal(order["totalCents"], 2 * 8500, what + ".totalCents")
    return order


def expect_fault(proxy, what, code, method, *params):
    try:
        proxy.call(method, *params)
        fail("%s: expected fault %d, got a normal response" % (what, code))
    except xmlrpc.client.Fault as f:
        expect(type(f.faultCode) is int, "%s: faultCode is %s, expected <int>" % (what, type(f.faultCode).__name__))
        expect(f.faultCode == code, "%s: faultCode %r (%s), expected %d" % (what, f.faultCode, f.faultString, code))
        expect(isinstance(f.faultString, str) and f.faultString != "", "%s: empty faultString" % what)


def stalls_available(proxy):
    zones = proxy.call("venue.getAvailability", 1001)
    for zone in zones if isinstance(zones, list) else []:
        if isinstance(zone, dict) and zone.get("zoneId") == 1:
            return zone.get("available")
    return None


def scenario(proxy, reference):
    # getPerformances
    performances = proxy.call("venue.getPerformances")
    if expect(isinstance(performances, list), "getPerformances: expected <array>, got %r" % (performances,)):
        for i, p in enumerate(performances):
            what = "performance[%d]" % i
            if expect_struct(p, ["id", "title", "venue", "startsAt", "onSaleAt"], what):
                expect_int(p["id"], what + ".id")
                expect_str(p["title"], what + ".title")
                expect_str(p["venue"], what + ".venue")
                expect_datetime(p["startsAt"], what + ".startsAt")
                expect_datetime(p["onSaleAt"], what + ".onSaleAt")
        hamlet = [p for p in performances if isinstance(p, dict) and p.get("id") == 1001]
        if expect(hamlet, "getPerformances: no performance with id <int>1001</int>"):
            expect_equal(hamlet[0].get("title"), "Hamlet", "performance 1001 title")
            expect_equal(hamlet[0].get("venue"), "Royal Hall", "performance 1001 venue")

    # getAvailability
    zones = proxy.call("venue.getAvailability", 1001)
    if expect(isinstance(zones, list), "getAvailability: expected <array>, got %r" % (zones,)):
        for i, z in enumerate(zones):
            what = "zone[%d]" % i
            if expect_struct(z, ["zoneId", "name", "priceCents", "capacity", "available"], what):
                for field in ("zoneId", "priceCents", "capacity", "available"):
                    expect_int(z[field], "%s.%s" % (what, field))
                expect_str(z["name"], what + ".name")
        seed = {1: ("Stalls", 8500, 400), 2: ("Balcony", 4500, 200)}
        for zone_id, (name, price, capacity) in seed.items():
            match = [z for z in zones if isinstance(z, dict) and z.get("zoneId") == zone_id]
            if expect(match, "getAvailability(1001): no zone %d" % zone_id):
                expect_equal(match[0].get("name"), name, "zone %d name" % zone_id)
                expect_equal(match[0].get("priceCents"), price, "zone %d priceCents" % zone_id)
                expect_equal(match[0].get("capacity"), capacity, "zone %d capacity" % zone_id)

    # getNewSessionKey
    key = proxy.call("venue.getNewSessionKey")
    expect(type(key) is str and key != "", "getNewSessionKey: expected a non-empty <string>, got %r" % (key,))

    # reserveTickets, releaseTickets, reserveTickets again
    before = stalls_available(proxy)
    first = check_hold(proxy.call("venue.reserveTickets", key, 1001, 1, 2), "hold #1", 2)
    held = stalls_available(proxy)
    if before is not None and held is not None:
        expect(held == before - 2, "Stalls available %r after holding 2, expected %r" % (held, before - 2))
    if first:
        released = proxy.call("venue.releaseTickets", key, first["lineItemId"])
        expect(released is True, "releaseTickets: expected <boolean>1</boolean>, got %s %r" % (type(released).__name__, released))
        after = stalls_available(proxy)
        if before is not None:
            expect(after == before, "Stalls available %r after release, expected %r" % (after, before))
    second = check_hold(proxy.call("venue.reserveTickets", key, 1001, 1, 2), "hold #2", 2)
    held_seats = second["seats"] if second else []

    # checkout, checkout again with the same reference (idempotent), findOrder
    order = check_order(proxy.call("venue.checkout", key, "tok_ok", reference), "order", reference, held_seats)
    again = check_order(proxy.call("venue.checkout", key, "tok_ok", reference), "order (second checkout)", reference, held_seats)
    if order and again:
        expect(again["orderId"] == order["orderId"],
               "second checkout with the same clientReference: orderId %r, expected %r" % (again["orderId"], order["orderId"]))
    found = check_order(proxy.call("venue.findOrder", reference), "findOrder", reference, held_seats)
    if order and found:
        expect(found["orderId"] == order["orderId"], "findOrder: orderId %r, expected %r" % (found["orderId"], order["orderId"]))

    # faults
    expect_fault(proxy, "reserveTickets quantity 0", 422, "venue.reserveTickets", key, 1001, 1, 0)
    expect_fault(proxy, "getAvailability(999999)", 404, "venue.getAvailability", 999999)
    expect_fault(proxy, "reserveTickets with a made-up session key", 101, "venue.reserveTickets", "made-up-session-key", 1001, 1, 1)
    declined_key = proxy.call("venue.getNewSessionKey")
    declined_hold = check_hold(proxy.call("venue.reserveTickets", declined_key, 1001, 1, 1), "hold before a declined payment", 1)
    expect_fault(proxy, "checkout tok_declined", 301, "venue.checkout", declined_key, "tok_declined", reference + "-declined")
    if declined_hold:
        # Leave the inventory as found: a declined payment keeps the hold until it expires.
        proxy.call("venue.releaseTickets", declined_key, declined_hold["lineItemId"])
    expect_fault(proxy, "findOrder of an unknown reference", 404, "venue.findOrder", reference + "-unknown")

    return order or {}


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: python3 xmlrpc_client.py <rpc2Url> [clientReference]\n")
        sys.exit(2)
    url = sys.argv[1]
    reference = sys.argv[2] if len(sys.argv) > 2 else "xmlrpc-client-%d-%d" % (os.getpid(), int(time.time()))
    order = {}
    try:
        order = scenario(Proxy(url), reference)
    except xmlrpc.client.Fault as f:
        fail("scenario stopped by an unexpected fault %r: %s" % (f.faultCode, f.faultString))
    except xmlrpc.client.ProtocolError as e:
        fail("scenario stopped by an HTTP error: %s %s %s" % (e.url, e.errcode, e.errmsg))
    except Exception as e:  # a malformed response (ExpatError, ResponseError, ...) is a finding, not a crash
        fail("scenario stopped: %s: %s" % (type(e).__name__, e))
    ok = not failures
    print(json.dumps({
        "ok": ok,
        "failures": failures,
        "orderId": order.get("orderId"),
        "seats": order.get("seats", []),
        "calls": calls,
    }), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
