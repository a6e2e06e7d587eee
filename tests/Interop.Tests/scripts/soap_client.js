#!/usr/bin/env node
// An independent SOAP client of our mock backend: node-soap 1.13.0 built from the WSDL the mock serves.
//
// It runs the contract's whole purchase scenario plus the fault cases against the mock's seed data (performance
// 1001 "Hamlet" at "Royal Hall"; zone 1 Stalls, 400 seats, 8500 cents; zone 2 Balcony, 200 seats, 4500 cents),
// checks the values and their types itself (node-soap matches on local names only and turns untyped values into
// strings, so "no error" proves little), and holds every raw response to the WSDL's schema (wire_check.js).
//
// Usage: node soap_client.js <wsdlUrl> [clientReference] [referenceWsdlPath]
//   e.g. node soap_client.js 'http://127.0.0.1:5091/VenueService.svc?wsdl' ref-by-hand-1 src/LegacyAdapters/Soap/venue-backend.wsdl
//   With referenceWsdlPath, the served WSDL must equal that file except for soap:address, which must point at
//   the endpoint the WSDL was served from; the schema checks then use the reference file.
// Prints one JSON line: {"ok", "failures", "orderId", "seats", "calls"}; exits 0 only when ok.
'use strict';

const fs = require('fs');
const soap = require('soap');
const wire = require('./wire_check');

const wsdlUrl = process.argv[2];
const clientReference = process.argv[3] || `soap-client-${process.pid}-${Date.now()}`;
const referenceWsdlPath = process.argv[4];

const failures = [];
let calls = 0;
let schema = null;
let client = null;

function fail(message) {
  failures.push(message);
}

function expect(condition, message) {
  if (!condition) {
    fail(message);
  }
  return condition;
}

function expectInt(value, what) {
  return expect(typeof value === 'number' && Number.isInteger(value), `${what}: expected a number (xs:int), got ${typeof value} ${JSON.stringify(value)}`);
}

function expectString(value, what) {
  return expect(typeof value === 'string', `${what}: expected a string, got ${typeof value} ${JSON.stringify(value)}`);
}

function expectDate(value, what) {
  return expect(value instanceof Date && !Number.isNaN(value.getTime()), `${what}: expected a valid Date (xs:dateTime), got ${JSON.stringify(value)}`);
}

function expectEqual(actual, expected, what) {
  return expect(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// Arrays: node-soap makes an element declared maxOccurs="unbounded" an array even with one item.
function expectArray(value, what) {
  return expect(Array.isArray(value), `${what}: expected an array, got ${JSON.stringify(value)}`);
}

// The last raw response node-soap saw, for the schema checks.
let last = null;

function checkWire(operation) {
  if (!last) {
    fail(`${operation}: no raw response captured`);
    return null;
  }
  const contentType = last.headers ? last.headers['content-type'] : undefined;
  const { problems, fault } = wire.checkResponse(schema, last.body, operation, last.status, contentType);
  problems.forEach(fail);
  return fault;
}

async function call(operation, args) {
  calls++;
  last = null;
  try {
    const [result] = await client[`${operation}Async`](args);
    checkWire(operation);
    return result;
  } catch (err) {
    if (err && err.root && err.root.Envelope && err.root.Envelope.Body && err.root.Envelope.Body.Fault) {
      const fault = checkWire(operation);
      throw Object.assign(new Error(`${operation} fault: ${err.message}`), { soapFault: err.root.Envelope.Body.Fault, wireFault: fault });
    }
    throw new Error(`${operation} failed: ${err && err.message ? err.message : err}`);
  }
}

// Calls an operation that must fault with a VenueFault of the given code.
async function expectFault(operation, args, code, what) {
  try {
    await call(operation, args);
    fail(`${what}: expected VenueFault ${code}, got a normal response`);
  } catch (err) {
    if (!err.soapFault) {
      fail(`${what}: expected VenueFault ${code}, got ${err.message}`);
      return;
    }
    const detail = err.soapFault.detail && err.soapFault.detail.VenueFault;
    if (!expect(detail, `${what}: fault has no detail/VenueFault: ${JSON.stringify(err.soapFault)}`)) {
      return;
    }
    // node-soap does not type fault details: Code arrives as a string and must read as the contract's code.
    expect(String(detail.Code) === String(code), `${what}: VenueFault Code ${JSON.stringify(detail.Code)}, expected ${code}`);
    expectString(detail.Message, `${what}: VenueFault Message`);
    expect(typeof err.soapFault.faultstring === 'string' && err.soapFault.faultstring.length > 0, `${what}: empty faultstring`);
    const expectedFaultCode = code === 503 ? 'soap:Server' : 'soap:Client';
    expectEqual(err.soapFault.faultcode, expectedFaultCode, `${what}: faultcode`);
    if (err.wireFault) {
      expectEqual(err.wireFault.code, code, `${what}: VenueFault Code on the wire`);
    }
  }
}

function checkHold(hold, what, quantity) {
  if (!expect(hold && typeof hold === 'object', `${what}: no Hold`)) {
    return null;
  }
  expectInt(hold.LineItemId, `${what}.LineItemId`);
  expectInt(hold.PerformanceId, `${what}.PerformanceId`) && expectEqual(hold.PerformanceId, 1001, `${what}.PerformanceId`);
  expectInt(hold.ZoneId, `${what}.ZoneId`) && expectEqual(hold.ZoneId, 1, `${what}.ZoneId`);
  expectInt(hold.Quantity, `${what}.Quantity`) && expectEqual(hold.Quantity, quantity, `${what}.Quantity`);
  const seats = hold.Seats && hold.Seats.string;
  if (expectArray(seats, `${what}.Seats.string`)) {
    expectEqual(seats.length, quantity, `${what}: number of seats`);
    seats.forEach((s, i) => expectString(s, `${what}.Seats[${i}]`));
    expectEqual(new Set(seats).size, seats.length, `${what}: distinct seats`);
  }
  expectDate(hold.ExpiresAt, `${what}.ExpiresAt`);
  return { lineItemId: hold.LineItemId, seats: Array.isArray(seats) ? seats : [] };
}

function checkOrder(order, what, expectedSeats) {
  if (!expect(order && typeof order === 'object', `${what}: no Order`)) {
    return null;
  }
  expectInt(order.OrderId, `${what}.OrderId`);
  expectString(order.ClientReference, `${what}.ClientReference`) && expectEqual(order.ClientReference, clientReference, `${what}.ClientReference`);
  expectInt(order.PerformanceId, `${what}.PerformanceId`) && expectEqual(order.PerformanceId, 1001, `${what}.PerformanceId`);
  expectInt(order.ZoneId, `${what}.ZoneId`) && expectEqual(order.ZoneId, 1, `${what}.ZoneId`);
  const seats = order.Seats && order.Seats.string;
  if (expectArray(seats, `${what}.Seats.string`)) {
    seats.forEach((s, i) => expectString(s, `${what}.Seats[${i}]`));
    expectEqual(JSON.stringify([...seats].sort()), JSON.stringify([...expectedSeats].sort()), `${what}: seats bought are the seats held`);
  }
  expectInt(order.TotalCents, `${what}.TotalCents`) && expectEqual(order.TotalCents, 2 * 8500, `${what}.TotalCents`);
  return { orderId: order.OrderId, seats: Array.isArray(seats) ? seats : [] };
}

async function stallsAvailable(what) {
  const result = await call('GetAvailability', { performanceId: 1001 });
  const zones = result && result.GetAvailabilityResult && result.GetAvailabilityResult.Zone;
  if (!expectArray(zones, `${what}: GetAvailabilityResult.Zone`)) {
    return null;
  }
  const stalls = zones.find((z) => z.ZoneId === 1);
  return stalls ? stalls.Available : null;
}

async function scenario() {
  const served = await fetchText(wsdlUrl);
  if (referenceWsdlPath) {
    checkServedWsdl(served, fs.readFileSync(referenceWsdlPath, 'utf8'));
  }
  schema = wire.loadSchema(referenceWsdlPath ? fs.readFileSync(referenceWsdlPath, 'utf8') : served);
  client = await soap.createClientAsync(wsdlUrl);
  client.on('response', (body, response) => {
    last = { body: typeof body === 'string' ? body : String(body), status: response && response.status, headers: response && response.headers };
  });

  const description = client.describe();
  const port = description.VenueService && description.VenueService.BasicHttpBinding_IVenueService;
  if (!expect(port, `WSDL: no service VenueService with port BasicHttpBinding_IVenueService: ${JSON.stringify(Object.keys(description))}`)) {
    return {};
  }
  for (const op of ['GetNewSessionKey', 'GetPerformances', 'GetAvailability', 'ReserveTickets', 'ReleaseTickets', 'Checkout', 'FindOrder']) {
    expect(port[op], `WSDL: no operation ${op}`);
  }

  // GetPerformances
  const performances = await call('GetPerformances', {});
  const list = performances && performances.GetPerformancesResult && performances.GetPerformancesResult.Performance;
  if (expectArray(list, 'GetPerformancesResult.Performance')) {
    list.forEach((p, i) => {
      expectInt(p.Id, `Performance[${i}].Id`);
      expectString(p.Title, `Performance[${i}].Title`);
      expectString(p.Venue, `Performance[${i}].Venue`);
      expectDate(p.StartsAt, `Performance[${i}].StartsAt`);
      expectDate(p.OnSaleAt, `Performance[${i}].OnSaleAt`);
    });
    const hamlet = list.find((p) => p.Id === 1001);
    if (expect(hamlet, 'GetPerformances: no performance with Id 1001 (a number)')) {
      expectEqual(hamlet.Title, 'Hamlet', 'Performance 1001 Title');
      expectEqual(hamlet.Venue, 'Royal Hall', 'Performance 1001 Venue');
    }
  }

  // GetAvailability
  const availability = await call('GetAvailability', { performanceId: 1001 });
  const zones = availability && availability.GetAvailabilityResult && availability.GetAvailabilityResult.Zone;
  if (expectArray(zones, 'GetAvailabilityResult.Zone')) {
    zones.forEach((z, i) => {
      for (const field of ['ZoneId', 'PriceCents', 'Capacity', 'Available']) {
        expectInt(z[field], `Zone[${i}].${field}`);
      }
      expectString(z.Name, `Zone[${i}].Name`);
      expect(z.Available >= 0 && z.Available <= z.Capacity, `Zone[${i}]: Available ${z.Available} outside 0..Capacity ${z.Capacity}`);
    });
    const seed = [
      { ZoneId: 1, Name: 'Stalls', PriceCents: 8500, Capacity: 400 },
      { ZoneId: 2, Name: 'Balcony', PriceCents: 4500, Capacity: 200 },
    ];
    for (const s of seed) {
      const z = zones.find((x) => x.ZoneId === s.ZoneId);
      if (expect(z, `GetAvailability(1001): no zone ${s.ZoneId}`)) {
        for (const field of ['Name', 'PriceCents', 'Capacity']) {
          expectEqual(z[field], s[field], `Zone ${s.ZoneId} ${field}`);
        }
      }
    }
  }

  // GetNewSessionKey
  const keyResult = await call('GetNewSessionKey', {});
  const key = keyResult && keyResult.GetNewSessionKeyResult;
  expect(typeof key === 'string' && key.length > 0, `GetNewSessionKeyResult: expected a non-empty string, got ${JSON.stringify(key)}`);

  // ReserveTickets, ReleaseTickets, ReserveTickets again
  const before = await stallsAvailable('before reserve');
  const first = checkHold((await call('ReserveTickets', { sessionKey: key, performanceId: 1001, zoneId: 1, quantity: 2 })).ReserveTicketsResult, 'Hold #1', 2);
  const held = await stallsAvailable('after reserve');
  if (before !== null && held !== null) {
    expectEqual(held, before - 2, 'Stalls Available after holding 2');
  }
  if (first) {
    const released = await call('ReleaseTickets', { sessionKey: key, lineItemId: first.lineItemId });
    const value = released && released.ReleaseTicketsResult;
    expect(value === true, `ReleaseTicketsResult: expected boolean true, got ${typeof value} ${JSON.stringify(value)}`);
    const after = await stallsAvailable('after release');
    if (before !== null && after !== null) {
      expectEqual(after, before, 'Stalls Available after releasing the hold');
    }
  }
  const second = checkHold((await call('ReserveTickets', { sessionKey: key, performanceId: 1001, zoneId: 1, quantity: 2 })).ReserveTicketsResult, 'Hold #2', 2);

  // Checkout, Checkout again (idempotent), FindOrder
  const order = checkOrder(
    (await call('Checkout', { sessionKey: key, paymentToken: 'tok_ok', clientReference })).CheckoutResult,
    'Order',
    second ? second.seats : []);
  const again = checkOrder(
    (await call('Checkout', { sessionKey: key, paymentToken: 'tok_ok', clientReference })).CheckoutResult,
    'Order (second Checkout, same reference)',
    second ? second.seats : []);
  if (order && again) {
    expectEqual(again.orderId, order.orderId, 'second Checkout with the same clientReference: OrderId');
  }
  const found = checkOrder((await call('FindOrder', { clientReference })).FindOrderResult, 'FindOrder', second ? second.seats : []);
  if (order && found) {
    expectEqual(found.orderId, order.orderId, 'FindOrder: OrderId');
  }

  // Faults
  await expectFault('ReserveTickets', { sessionKey: key, performanceId: 1001, zoneId: 1, quantity: 0 }, 422, 'ReserveTickets quantity 0');
  await expectFault('GetAvailability', { performanceId: 999999 }, 404, 'GetAvailability(999999)');
  await expectFault('ReserveTickets', { sessionKey: 'made-up-session-key', performanceId: 1001, zoneId: 1, quantity: 1 }, 101, 'ReserveTickets with a made-up session key');
  const declinedKey = (await call('GetNewSessionKey', {})).GetNewSessionKeyResult;
  const declinedHold = checkHold((await call('ReserveTickets', { sessionKey: declinedKey, performanceId: 1001, zoneId: 1, quantity: 1 })).ReserveTicketsResult, 'Hold before a declined payment', 1);
  await expectFault('Checkout', { sessionKey: declinedKey, paymentToken: 'tok_declined', clientReference: `${clientReference}-declined` }, 301, 'Checkout tok_declined');
  if (declinedHold) {
    // Leave the inventory as found: a declined payment keeps the hold until it expires.
    await call('ReleaseTickets', { sessionKey: declinedKey, lineItemId: declinedHold.lineItemId });
  }
  await expectFault('FindOrder', { clientReference: `${clientReference}-unknown` }, 404, 'FindOrder of an unknown reference');

  return order || {};
}

// The WSDL is the project's single source of truth: a server rewrites soap:address and changes nothing else.
function checkServedWsdl(served, reference) {
  const ADDRESS = /(<soap:address\s+location=")([^"]*)(")/;
  const match = ADDRESS.exec(served);
  const endpoint = wsdlUrl.replace(/\?.*$/, '');
  if (expect(match, 'served WSDL: no soap:address')) {
    expectEqual(match[2], endpoint, 'served WSDL soap:address location');
  }
  const normalise = (text) => text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').replace(ADDRESS, '$1$3').trim();
  if (normalise(served) !== normalise(reference)) {
    const a = normalise(served).split('\n');
    const b = normalise(reference).split('\n');
    const first = a.findIndex((l, i) => l !== b[i]);
    const line = first === -1 ? Math.min(a.length, b.length) : first;
    fail(`served WSDL differs from ${referenceWsdlPath} beyond soap:address, first at line ${line + 1}: served ${JSON.stringify(a[line])}, file ${JSON.stringify(b[line])}`);
  }
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`GET ${url}: HTTP ${response.status}`);
  }
  return response.text();
}

async function main() {
  if (!wsdlUrl) {
    process.stderr.write('usage: node soap_client.js <wsdlUrl> [clientReference] [referenceWsdlPath]\n');
    process.exit(2);
  }
  let order = {};
  try {
    order = await scenario();
  } catch (err) {
    fail(`scenario stopped: ${err && err.message ? err.message : err}`);
    if (last) {
      process.stderr.write(`last response (HTTP ${last.status}):\n${last.body}\n`);
    }
  }
  const ok = failures.length === 0;
  process.stdout.write(JSON.stringify({ ok, failures, orderId: order.orderId ?? null, seats: order.seats ?? [], calls }) + '\n');
  process.exitCode = ok ? 0 : 1;
}

main();
