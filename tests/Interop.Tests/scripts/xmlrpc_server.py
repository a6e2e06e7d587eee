#!/usr/bin/env python3
"""An independent XML-RPC venue backend: Python's standard xmlrpc.server answering from fixtures.json.

Our XML-RPC client (src/LegacyAdapters/XmlRpc) is pointed at it to prove that what it sends and reads is
XML-RPC as Python implements it, not merely what our own mock accepts (CONTRACT.md section 1).

Usage: python3 xmlrpc_server.py [fixtures.json]
  Listens on 127.0.0.1, a free port, path /RPC2. The first stdout line is "LISTENING <port>".
  Every method call received is written to stderr, one method name a line.
  Stops on SIGTERM, SIGINT or when stdin closes.
"""

import datetime
import json
import os
import signal
import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer
from socketserver import ThreadingMixIn

HERE = os.path.dirname(os.path.abspath(__file__))

# A type or arity error in the request is not a venue fault: it is the caller breaking the protocol.
# -32602 is the "invalid method parameters" code of the XML-RPC fault-code interoperability spec.
INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601


def parse_utc(text):
    """fixtures.json dateTime ("2026-12-01T19:30:00Z") -> naive datetime in UTC, as xmlrpc.client marshals it."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def need(name, value, kind):
    # bool is a subclass of int in Python: an <boolean> must not pass for an <int>.
    if type(value) is not kind:
        raise xmlrpc.client.Fault(
            INVALID_PARAMS, "%s must be %s, got %s %r" % (name, kind.__name__, type(value).__name__, value))
    return value


def fault(spec):
    return xmlrpc.client.Fault(spec["code"], spec["message"])


class Venue:
    def __init__(self, fixtures):
        self.fx = fixtures
        self.faults = fixtures["faults"]

    def _check_session(self, key):
        need("sessionKey", key, str)
        if key == self.faults["sessionExpired"]["sessionKey"]:
            raise fault(self.faults["sessionExpired"])

    def getNewSessionKey(self):
        return self.fx["sessionKey"]

    def getPerformances(self):
        return [
            {
                "id": p["id"],
                "title": p["title"],
                "venue": p["venue"],
                "startsAt": parse_utc(p["startsAt"]),
                "onSaleAt": parse_utc(p["onSaleAt"]),
            }
            for p in self.fx["performances"]
        ]

    def getAvailability(self, performance_id):
        need("performanceId", performance_id, int)
        zones = self.fx["availability"].get(str(performance_id))
        if zones is None:
            raise fault(self.faults["unknownPerformance"])
        return [dict(z) for z in zones]

    def reserveTickets(self, session_key, performance_id, zone_id, quantity):
        self._check_session(session_key)
        need("performanceId", performance_id, int)
        need("zoneId", zone_id, int)
        need("quantity", quantity, int)
        if quantity < 1 or quantity > 10:
            raise fault(self.faults["invalidQuantity"])
        if quantity == self.faults["notEnoughSeats"]["quantity"]:
            raise fault(self.faults["notEnoughSeats"])
        zones = self.fx["availability"].get(str(performance_id))
        if zones is None:
            raise fault(self.faults["unknownPerformance"])
        if not any(z["zoneId"] == zone_id for z in zones):
            raise xmlrpc.client.Fault(404, "Unknown zone")
        hold = self.fx["hold"]
        return {
            "lineItemId": hold["lineItemId"],
            "performanceId": performance_id,
            "zoneId": zone_id,
            "quantity": quantity,
            "seats": ["B-%d" % (14 + i) for i in range(quantity)],
            "expiresAt": parse_utc(hold["expiresAt"]),
        }

    def releaseTickets(self, session_key, line_item_id):
        self._check_session(session_key)
        need("lineItemId", line_item_id, int)
        if line_item_id != self.fx["hold"]["lineItemId"]:
            raise fault(self.faults["unknownHold"])
        return True

    def checkout(self, session_key, payment_token, client_reference):
        self._check_session(session_key)
        need("paymentToken", payment_token, str)
        need("clientReference", client_reference, str)
        if payment_token == "":
            raise fault(self.faults["emptyToken"])
        if payment_token.startswith(self.faults["paymentDeclined"]["tokenPrefix"]):
            raise fault(self.faults["paymentDeclined"])
        if payment_token.startswith(self.faults["holdExpired"]["tokenPrefix"]):
            raise fault(self.faults["holdExpired"])
        order = dict(self.fx["order"])
        order["clientReference"] = client_reference
        return order

    def findOrder(self, client_reference):
        need("clientReference", client_reference, str)
        if client_reference == self.faults["busy"]["clientReference"]:
            raise fault(self.faults["busy"])
        if client_reference != self.fx["order"]["clientReference"]:
            raise fault(self.faults["orderNotFound"])
        return dict(self.fx["order"])


class Dispatcher:
    """Maps venue.* method names onto Venue, logging each call and checking arity before Python would."""

    def __init__(self, venue):
        self.venue = venue
        self.lock = threading.Lock()

    def _dispatch(self, method, params):
        with self.lock:
            sys.stderr.write(method + "\n")
            sys.stderr.flush()
        prefix = "venue."
        name = method[len(prefix):] if method.startswith(prefix) else None
        func = getattr(self.venue, name, None) if name and not name.startswith("_") else None
        if func is None:
            raise xmlrpc.client.Fault(METHOD_NOT_FOUND, "unknown method %s" % method)
        expected = func.__code__.co_argcount - 1
        if len(params) != expected:
            raise xmlrpc.client.Fault(
                INVALID_PARAMS, "%s takes %d parameters, got %d" % (method, expected, len(params)))
        return func(*params)


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2",)

    def do_POST(self):
        # The XML-RPC spec requires Content-Type text/xml; Python's server would not check it, we do.
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "text/xml":
            sys.stderr.write("REJECTED Content-Type %r\n" % self.headers.get("Content-Type"))
            sys.stderr.flush()
            self.send_response(415)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_POST()


class Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    # socketserver's default backlog of 5 can refuse connections when a loaded machine is slow to accept.
    request_queue_size = 128


def main():
    fixtures_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "fixtures.json")
    with open(fixtures_path, encoding="utf-8") as f:
        fixtures = json.load(f)

    server = Server(("127.0.0.1", 0), requestHandler=Handler, logRequests=False, allow_none=False)
    server.register_instance(Dispatcher(Venue(fixtures)))

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read1(4096):
                pass
        except (OSError, ValueError):
            pass
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()

    print("LISTENING %d" % server.server_address[1], flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
