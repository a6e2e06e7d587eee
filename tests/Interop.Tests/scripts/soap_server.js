#!/usr/bin/env node
// An independent SOAP venue backend: node-soap 1.13.0 built from our WSDL, answering from fixtures.json.
//
// Our SOAP client (src/LegacyAdapters/Soap) is pointed at it to prove that what it sends and reads is SOAP as a
// WSDL-driven stack understands it, not merely what our own mock accepts (CONTRACT.md section 1).
//
// Usage: node soap_server.js <path/to/venue-backend.wsdl> [fixtures.json]
//   Listens on 127.0.0.1, a free port, path /VenueService.svc (WSDL at ?wsdl).
//   The first stdout line is "LISTENING <port>". Every operation called is written to stderr, one name a line.
//   Stops on SIGTERM, SIGINT or when stdin closes.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const soap = require('soap');
const wire = require('./wire_check');

const NS = 'urn:venue-backend:v1';
const PATH = '/VenueService.svc';

const wsdlPath = process.argv[2];
if (!wsdlPath) {
  process.stderr.write('usage: node soap_server.js <venue-backend.wsdl> [fixtures.json]\n');
  process.exit(2);
}
const schema = wire.loadSchema(wsdlPath);
const fixtures = JSON.parse(fs.readFileSync(process.argv[3] || path.join(__dirname, 'fixtures.json'), 'utf8'));
const faults = fixtures.faults;

// A contract fault, shaped the way WCF sends a FaultException<VenueFault>: HTTP 500, soap:Server for 503 and
// soap:Client otherwise, detail element VenueFault in the target namespace (PACKAGES.md, node-soap recipe).
function venueFault(spec) {
  return {
    Fault: {
      faultcode: spec.code === 503 ? 'soap:Server' : 'soap:Client',
      faultstring: spec.message,
      detail: {
        VenueFault: {
          attributes: { xmlns: NS },
          Code: spec.code,
          Message: spec.message,
        },
      },
      statusCode: 500,
    },
  };
}

// A request that breaks the WSDL (missing or mistyped parameter) is not a venue fault: no VenueFault detail.
function protocolFault(message) {
  return { Fault: { faultcode: 'soap:Client', faultstring: message, statusCode: 500 } };
}

// node-soap hands the handler what it parsed, matching on local names only and, for xs:int, a number only when
// the element's text is one. Check presence and shape here so a wrongly named or empty element is caught.
function int(args, name) {
  const raw = args === undefined || args === null ? undefined : args[name];
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw protocolFault(`${name} must be an xs:int element in ${NS}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function str(args, name) {
  const raw = args === undefined || args === null ? undefined : args[name];
  // An empty element <paymentToken/> or <paymentToken></paymentToken> arrives as '' or {} depending on the form.
  if (raw !== undefined && raw !== null && typeof raw === 'object' && Object.keys(raw).length === 0) {
    return '';
  }
  if (typeof raw !== 'string') {
    throw protocolFault(`${name} must be an xs:string element in ${NS}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function checkSession(args) {
  const key = str(args, 'sessionKey');
  if (key === faults.sessionExpired.sessionKey) {
    throw venueFault(faults.sessionExpired);
  }
  return key;
}

function log(operation) {
  process.stderr.write(operation + '\n');
}

function zoneElement(z) {
  return { ZoneId: z.zoneId, Name: z.name, PriceCents: z.priceCents, Capacity: z.capacity, Available: z.available };
}

function orderElement(o, clientReference) {
  return {
    OrderId: o.orderId,
    ClientReference: clientReference,
    PerformanceId: o.performanceId,
    ZoneId: o.zoneId,
    Seats: { string: o.seats },
    TotalCents: o.totalCents,
  };
}

const operations = {
  GetNewSessionKey() {
    return { GetNewSessionKeyResult: fixtures.sessionKey };
  },

  GetPerformances() {
    return {
      GetPerformancesResult: {
        // Dates go out as the fixture's own text (xs:dateTime with Z); node-soap would write a Date with toString().
        Performance: fixtures.performances.map((p) => ({
          Id: p.id,
          Title: p.title,
          Venue: p.venue,
          StartsAt: p.startsAt,
          OnSaleAt: p.onSaleAt,
        })),
      },
    };
  },

  GetAvailability(args) {
    const performanceId = int(args, 'performanceId');
    const zones = fixtures.availability[String(performanceId)];
    if (!zones) {
      throw venueFault(faults.unknownPerformance);
    }
    return { GetAvailabilityResult: { Zone: zones.map(zoneElement) } };
  },

  ReserveTickets(args) {
    checkSession(args);
    const performanceId = int(args, 'performanceId');
    const zoneId = int(args, 'zoneId');
    const quantity = int(args, 'quantity');
    if (quantity < 1 || quantity > 10) {
      throw venueFault(faults.invalidQuantity);
    }
    if (quantity === faults.notEnoughSeats.quantity) {
      throw venueFault(faults.notEnoughSeats);
    }
    const zones = fixtures.availability[String(performanceId)];
    if (!zones) {
      throw venueFault(faults.unknownPerformance);
    }
    if (!zones.some((z) => z.zoneId === zoneId)) {
      throw venueFault({ code: 404, message: 'Unknown zone' });
    }
    const seats = Array.from({ length: quantity }, (_, i) => `B-${14 + i}`);
    return {
      ReserveTicketsResult: {
        LineItemId: fixtures.hold.lineItemId,
        PerformanceId: performanceId,
        ZoneId: zoneId,
        Quantity: quantity,
        Seats: { string: seats },
        ExpiresAt: fixtures.hold.expiresAt,
      },
    };
  },

  ReleaseTickets(args) {
    checkSession(args);
    const lineItemId = int(args, 'lineItemId');
    if (lineItemId !== fixtures.hold.lineItemId) {
      throw venueFault(faults.unknownHold);
    }
    return { ReleaseTicketsResult: true };
  },

  Checkout(args) {
    checkSession(args);
    const token = str(args, 'paymentToken');
    const clientReference = str(args, 'clientReference');
    if (token === '') {
      throw venueFault(faults.emptyToken);
    }
    if (token.startsWith(faults.paymentDeclined.tokenPrefix)) {
      throw venueFault(faults.paymentDeclined);
    }
    if (token.startsWith(faults.holdExpired.tokenPrefix)) {
      throw venueFault(faults.holdExpired);
    }
    return { CheckoutResult: orderElement(fixtures.order, clientReference) };
  },

  FindOrder(args) {
    const clientReference = str(args, 'clientReference');
    if (clientReference === faults.busy.clientReference) {
      throw venueFault(faults.busy);
    }
    if (clientReference !== fixtures.order.clientReference) {
      throw venueFault(faults.orderNotFound);
    }
    return { FindOrderResult: orderElement(fixtures.order, clientReference) };
  },
};

// What node-soap does not check, checked on the raw request before any handler runs: SOAP 1.1 Content-Type, the
// quoted SOAPAction of CONTRACT.md, and the envelope against the WSDL's schema (namespaces, order, types).
const ACTION = /^"urn:venue-backend:v1\/IVenueService\/([A-Za-z]+)"$/;

function checkRaw(xml, req) {
  const problems = [];
  const contentType = req.headers['content-type'] || '';
  if (!/^text\/xml\s*(;|$)/i.test(contentType)) {
    problems.push(`Content-Type ${JSON.stringify(contentType)}, expected text/xml (SOAP 1.1)`);
  }
  const action = req.headers.soapaction;
  const match = ACTION.exec(action || '');
  if (!match || !operations[match[1]]) {
    problems.push(`SOAPAction ${JSON.stringify(action)}, expected "urn:venue-backend:v1/IVenueService/{Operation}" with the quotes`);
    return problems;
  }
  return problems.concat(wire.checkRequest(schema, xml, match[1]));
}

// Log before running, so a test sees which handler a SOAPAction selected even when it throws.
const port = {};
for (const [name, handler] of Object.entries(operations)) {
  port[name] = (args, callback, headers, req) => {
    log(name);
    const problems = (req && req.wireProblems) || [];
    if (problems.length > 0) {
      for (const problem of problems) {
        process.stderr.write(`VIOLATION ${name}: ${problem}\n`);
      }
      throw protocolFault(`request does not match venue-backend.wsdl: ${problems.join('; ')}`);
    }
    return handler(args);
  };
}
const services = { VenueService: { BasicHttpBinding_IVenueService: port } };

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end();
});

server.listen(0, '127.0.0.1', () => {
  const actualPort = server.address().port;
  // Serve the WSDL with soap:address pointing here, as the mock does; nothing else is changed.
  const wsdl = fs
    .readFileSync(wsdlPath, 'utf8')
    .replace(/(<soap:address\s+location=")[^"]*(")/, `$1http://127.0.0.1:${actualPort}${PATH}$2`);
  const soapServer = soap.listen(server, {
    path: PATH,
    services,
    xml: wsdl,
    // node-soap's default: responses go out with Transfer-Encoding: chunked (no Content-Length), which our
    // client must read as well as WCF's Content-Length answers.
    callback: (err) => {
      if (err) {
        process.stderr.write(`soap.listen failed: ${err}\n`);
        process.exit(1);
      }
      process.stdout.write(`LISTENING ${actualPort}\n`);
    },
  });
  soapServer.log = (type, data, req) => {
    if (type === 'received' && req) {
      req.wireProblems = checkRaw(typeof data === 'string' ? data : String(data), req);
    }
  };
});

function stop() {
  server.close();
  process.exit(0);
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
