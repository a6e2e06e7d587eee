// Namespace-aware checks of raw SOAP envelopes against venue-backend.wsdl, used by soap_server.js (on the
// requests our adapter sends) and soap_client.js (on the responses our mock sends).
//
// Why: node-soap matches elements on local names only and is forgiving about types, so "node-soap accepted it"
// proves little by itself (PACKAGES.md). These checks read the schema in the WSDL (the subset it uses: sequences
// of elements with xs:int, xs:string, xs:boolean, xs:dateTime or a named complex type) and hold every envelope to
// it: element namespaces (elementFormDefault="qualified"), order, occurrence and lexical forms. They use sax, the
// XML parser node-soap itself depends on.
'use strict';

const fs = require('fs');
const sax = require('sax');

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const XS = 'http://www.w3.org/2001/XMLSchema';
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const TNS = 'urn:venue-backend:v1';

// Parses XML into a small tree: {uri, local, prefix, ns, attributes, children, text}. Throws on malformed XML
// and on a DOCTYPE (the contract's XML never has one).
function parse(xml) {
  const parser = sax.parser(true, { xmlns: true, position: true });
  const root = { children: [] };
  const stack = [root];
  let failure = null;
  parser.onerror = (e) => {
    failure = e;
    parser.error = null;
  };
  parser.ondoctype = () => {
    failure = failure || new Error('DOCTYPE is not allowed');
  };
  parser.onopentag = (tag) => {
    const node = {
      uri: tag.uri,
      local: tag.local,
      prefix: tag.prefix,
      ns: tag.ns,
      attributes: tag.attributes,
      children: [],
      text: '',
    };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  parser.ontext = (t) => {
    stack[stack.length - 1].text += t;
  };
  parser.oncdata = (t) => {
    stack[stack.length - 1].text += t;
  };
  parser.write(xml).close();
  if (failure) {
    throw new Error(`not well-formed XML: ${failure.message.split('\n')[0]}`);
  }
  if (root.children.length !== 1) {
    throw new Error('no document element');
  }
  return root.children[0];
}

function qname(node, value) {
  const [prefix, local] = value.includes(':') ? value.split(':') : ['', value];
  return { uri: node.ns[prefix], local };
}

// Reads the schema of the WSDL into {types: {name: particles[]}, elements: {name: {type} | {particles}}}.
function loadSchema(wsdlPathOrXml) {
  const xml = wsdlPathOrXml.trimStart().startsWith('<') ? wsdlPathOrXml : fs.readFileSync(wsdlPathOrXml, 'utf8');
  const definitions = parse(xml);
  const types = {};
  const elements = {};
  const typesNode = definitions.children.find((c) => c.uri === WSDL_NS && c.local === 'types');
  const schema = typesNode.children.find((c) => c.uri === XS && c.local === 'schema');

  const particles = (complexType) => {
    const sequence = complexType.children.find((c) => c.uri === XS && c.local === 'sequence');
    return (sequence ? sequence.children : [])
      .filter((c) => c.uri === XS && c.local === 'element')
      .map((e) => ({
        name: e.attributes.name.value,
        type: qname(e, e.attributes.type.value),
        min: e.attributes.minOccurs ? Number(e.attributes.minOccurs.value) : 1,
        max: e.attributes.maxOccurs
          ? e.attributes.maxOccurs.value === 'unbounded'
            ? Infinity
            : Number(e.attributes.maxOccurs.value)
          : 1,
      }));
  };

  for (const child of schema.children) {
    if (child.uri !== XS) {
      continue;
    }
    if (child.local === 'complexType') {
      types[child.attributes.name.value] = particles(child);
    } else if (child.local === 'element') {
      const inline = child.children.find((c) => c.uri === XS && c.local === 'complexType');
      elements[child.attributes.name.value] = inline
        ? { particles: particles(inline) }
        : { type: qname(child, child.attributes.type.value) };
    }
  }
  return { types, elements };
}

const INT = /^[+-]?\d+$/;
// xs:dateTime lexical form; the contract adds "UTC, written with a trailing Z".
const DATE_TIME = /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function elementChildren(node, path, problems) {
  if (node.children.length > 0 && node.text.trim() !== '') {
    problems.push(`${path}: mixed content ${JSON.stringify(node.text.trim())}`);
  }
  return node.children;
}

function checkSimple(node, type, path, problems) {
  if (node.children.length > 0) {
    problems.push(`${path}: expected xs:${type.local} text, found child element <${node.children[0].local}>`);
    return;
  }
  const text = node.text;
  switch (type.local) {
    case 'int': {
      if (!INT.test(text) || Number(text) > 2147483647 || Number(text) < -2147483648) {
        problems.push(`${path}: ${JSON.stringify(text)} is not an xs:int`);
      }
      break;
    }
    case 'boolean': {
      if (!['true', 'false', '1', '0'].includes(text)) {
        problems.push(`${path}: ${JSON.stringify(text)} is not an xs:boolean`);
      }
      break;
    }
    case 'dateTime': {
      if (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text))) {
        problems.push(`${path}: ${JSON.stringify(text)} is not an xs:dateTime in UTC with a trailing Z`);
      }
      break;
    }
    case 'string':
      break;
    default:
      problems.push(`${path}: unsupported schema type xs:${type.local}`);
  }
}

function checkParticles(schema, node, list, path, problems) {
  const children = elementChildren(node, path, problems);
  let i = 0;
  for (const particle of list) {
    let count = 0;
    while (i < children.length && children[i].local === particle.name && count < particle.max) {
      checkElement(schema, children[i], particle.type, `${path}/${particle.name}`, problems);
      i++;
      count++;
    }
    if (count < particle.min) {
      const found = i < children.length ? `{${children[i].uri}}${children[i].local}` : 'nothing';
      problems.push(`${path}: expected <${particle.name}> (in ${TNS}), found ${found}`);
      return;
    }
  }
  for (; i < children.length; i++) {
    problems.push(`${path}: unexpected element {${children[i].uri}}${children[i].local}`);
  }
}

function checkElement(schema, node, type, path, problems) {
  // elementFormDefault="qualified": every element the schema declares is in the target namespace.
  if (node.uri !== TNS) {
    problems.push(`${path}: element <${node.local}> is in namespace '${node.uri}', expected '${TNS}'`);
  }
  if (node.attributes) {
    for (const attribute of Object.values(node.attributes)) {
      if (attribute.uri === 'http://www.w3.org/2001/XMLSchema-instance' && attribute.local === 'nil') {
        problems.push(`${path}: xsi:nil on an element that is not nillable`);
      }
    }
  }
  if (type.uri === XS) {
    checkSimple(node, type, path, problems);
    return;
  }
  const particles = schema.types[type.local];
  if (!particles) {
    problems.push(`${path}: unknown type ${type.local}`);
    return;
  }
  checkParticles(schema, node, particles, path, problems);
}

function checkGlobalElement(schema, node, name, problems) {
  if (node.local !== name || node.uri !== TNS) {
    problems.push(`Body: expected {${TNS}}${name}, found {${node.uri}}${node.local}`);
    return;
  }
  const declaration = schema.elements[name];
  if (declaration.particles) {
    checkParticles(schema, node, declaration.particles, name, problems);
  } else {
    checkElement(schema, node, declaration.type, name, problems);
  }
}

function body(envelope, problems) {
  if (envelope.uri !== SOAP_ENV || envelope.local !== 'Envelope') {
    problems.push(`root is {${envelope.uri}}${envelope.local}, expected a SOAP 1.1 Envelope`);
    return null;
  }
  const parts = envelope.children.filter((c) => c.uri === SOAP_ENV);
  const bodyNode = parts.find((c) => c.local === 'Body');
  if (!bodyNode) {
    problems.push('Envelope has no Body');
    return null;
  }
  if (bodyNode.children.length !== 1) {
    problems.push(`Body has ${bodyNode.children.length} child elements, expected 1`);
    return null;
  }
  return bodyNode.children[0];
}

// A request our client sent: Body holds the operation's wrapper, parameters in order, qualified.
function checkRequest(schema, xml, operation) {
  const problems = [];
  let envelope;
  try {
    envelope = parse(xml);
  } catch (e) {
    return [e.message];
  }
  const wrapper = body(envelope, problems);
  if (wrapper) {
    checkGlobalElement(schema, wrapper, operation, problems);
  }
  return problems;
}

// A response our mock sent. Returns {problems, fault} where fault is {faultcode, faultstring, code, message}
// read from the XML (with faultcode resolved as a QName) when the response is a fault.
function checkResponse(schema, xml, operation, httpStatus, contentType) {
  const problems = [];
  if (!/^text\/xml\b/i.test(contentType || '')) {
    problems.push(`Content-Type ${JSON.stringify(contentType)}, expected text/xml for SOAP 1.1`);
  }
  let envelope;
  try {
    envelope = parse(xml);
  } catch (e) {
    return { problems: problems.concat([e.message]).map((p) => `${operation}: ${p}`), fault: null };
  }
  const first = body(envelope, problems);
  if (!first) {
    return { problems: problems.map((p) => `${operation}: ${p}`), fault: null };
  }
  if (first.uri === SOAP_ENV && first.local === 'Fault') {
    const fault = checkFault(schema, first, problems);
    if (httpStatus !== 500) {
      problems.push(`HTTP status ${httpStatus} for a fault, expected 500 (SOAP 1.1 over HTTP)`);
    }
    return { problems: problems.map((p) => `${operation}: ${p}`), fault };
  }
  if (httpStatus !== 200) {
    problems.push(`HTTP status ${httpStatus} for a non-fault response, expected 200`);
  }
  checkGlobalElement(schema, first, `${operation}Response`, problems);
  return { problems: problems.map((p) => `${operation}: ${p}`), fault: null };
}

function checkFault(schema, fault, problems) {
  const children = fault.children;
  const byName = (local) => children.find((c) => c.local === local);
  for (const child of children) {
    // SOAP 1.1 section 4.4: faultcode, faultstring, faultactor and detail are unqualified.
    if (child.uri !== '' && child.uri !== undefined) {
      problems.push(`Fault/${child.local} is in namespace '${child.uri}', SOAP 1.1 wants it unqualified`);
    }
  }
  const result = { faultcode: null, faultstring: null, code: null, message: null };
  const codeNode = byName('faultcode');
  if (!codeNode) {
    problems.push('Fault has no faultcode');
  } else {
    const value = codeNode.text.trim();
    const resolved = qname(codeNode, value);
    if (resolved.uri !== SOAP_ENV || !['Client', 'Server'].includes(resolved.local)) {
      problems.push(`faultcode ${JSON.stringify(value)} resolves to {${resolved.uri}}${resolved.local}, expected soap:Client or soap:Server`);
    }
    result.faultcode = resolved.local;
  }
  const stringNode = byName('faultstring');
  if (!stringNode) {
    problems.push('Fault has no faultstring');
  } else {
    result.faultstring = stringNode.text;
  }
  const detail = byName('detail');
  if (!detail) {
    problems.push('Fault has no detail (a contract fault carries VenueFault)');
    return result;
  }
  if (detail.children.length !== 1) {
    problems.push(`detail has ${detail.children.length} child elements, expected VenueFault`);
    return result;
  }
  const venueFault = detail.children[0];
  checkGlobalElement(schema, venueFault, 'VenueFault', problems);
  const code = venueFault.children.find((c) => c.local === 'Code');
  const message = venueFault.children.find((c) => c.local === 'Message');
  result.code = code && INT.test(code.text) ? Number(code.text) : null;
  result.message = message ? message.text : null;
  if (result.code !== null && result.faultcode !== null) {
    const expected = result.code === 503 ? 'Server' : 'Client';
    if (result.faultcode !== expected) {
      problems.push(`faultcode soap:${result.faultcode} for VenueFault ${result.code}, expected soap:${expected}`);
    }
  }
  return result;
}

module.exports = { parse, loadSchema, checkRequest, checkResponse, SOAP_ENV, TNS };
