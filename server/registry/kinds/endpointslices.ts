/**
 * EndpointSlice validation as pkg/apis/discovery/validation: `addressType` required and IPv4, IPv6
 * or FQDN (the deprecated `IP` also accepted on update), immutable on update; at most 1000
 * endpoints, each with 1..100 addresses valid for the address type (and not special for IPs), at
 * most 16 topology labels, a DNS-1123 label hostname; at most 100 ports with unique names (DNS-1123
 * labels), a protocol and a qualified appProtocol.
 */
import type { FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import type { ValidationContext } from '../admission.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, validateLabels } from '../validation.js';
import { arr, duplicate, immutable, invalid, invalidEach, notSupported, obj, required, str, tooMany } from './field.js';
import { kindFacts } from './facts.js';
import { isValidIP, isValidIPv4Address, isValidIPv6Address, validateNonSpecialIP, type NonSpecialIPWording } from './ip.js';
import { validateProtocol } from './ports.js';

const SUPPORTED_ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const DEPRECATED_ADDRESS_TYPES = ['IP'];
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_ENDPOINTS = 1000;

/** `IsFullyQualifiedDomainName`: a DNS-1123 subdomain of at least two labels (a trailing dot allowed). */
function isFullyQualifiedDomainName(field: string, value: string): FieldError[] {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name === '') return [required(field, '')];
  const errs = invalidEach(field, value, isDNS1123Subdomain(name));
  if (errs.length > 0) return errs;
  if (name.split('.').length < 2) return [invalid(field, value, 'should be a domain with at least two segments separated by dots')];
  for (const label of name.split('.')) {
    const msgs = isDNS1123Label(label);
    if (msgs.length > 0) return invalidEach(field, value, msgs);
  }
  return [];
}

function validateAddress(address: string, addressType: string, path: string, wording: NonSpecialIPWording, allowLoopback: boolean): FieldError[] {
  switch (addressType) {
    case 'IP':
      return isValidIP(path, address);
    case 'IPv4':
      return [...isValidIPv4Address(path, address), ...validateNonSpecialIP(address, path, wording, allowLoopback)];
    case 'IPv6':
      return [...isValidIPv6Address(path, address), ...validateNonSpecialIP(address, path, wording, allowLoopback)];
    case 'FQDN':
      return isFullyQualifiedDomainName(path, address);
    default:
      // Unknown types are refused by the addressType check and their addresses left alone.
      return [];
  }
}

function validateEndpointList(endpoints: unknown[], addressType: string, wording: NonSpecialIPWording, allowLoopback: boolean): FieldError[] {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  endpoints.forEach((raw, i) => {
    const endpoint = obj(raw);
    const path = `endpoints[${i}]`;
    const addresses = arr(endpoint['addresses']);
    if (addresses.length === 0) errs.push(required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(`${path}.addresses`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => errs.push(...validateAddress(str(a), addressType, `${path}.addresses[${j}]`, wording, allowLoopback)));
    const topology = obj(endpoint['deprecatedTopology']);
    const topologyCount = Object.keys(topology).length;
    if (topologyCount > MAX_TOPOLOGY_LABELS) errs.push(tooMany(`${path}.topology`, topologyCount, MAX_TOPOLOGY_LABELS));
    errs.push(...validateLabels(topology as Record<string, string>, `${path}.topology`));
    if (typeof endpoint['hostname'] === 'string') errs.push(...invalidEach(`${path}.hostname`, endpoint['hostname'], isDNS1123Label(endpoint['hostname'])));
  });
  return errs;
}

function validatePorts(ports: unknown[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const port = obj(raw);
    const path = `ports[${i}]`;
    const name = str(port['name']);
    if (name) errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
    errs.push(...validateProtocol(port['protocol'], `${path}.protocol`));
    if (typeof port['appProtocol'] === 'string') errs.push(...invalidEach(`${path}.appProtocol`, port['appProtocol'], isQualifiedName(port['appProtocol'])));
  });
  return errs;
}

/** Fills discovery/v1 defaulting of an EndpointSlice: a port's name defaults to "" and its protocol to TCP. */
export function defaultEndpointSlice(slice: KubeObject): void {
  for (const port of arr(slice['ports']).map(obj)) {
    if (port['name'] === undefined || port['name'] === null) port['name'] = '';
    if (!port['protocol']) port['protocol'] = 'TCP';
  }
}

/** The field errors of an EndpointSlice beyond its metadata; `old` marks an update. */
export function validateEndpointSlice(slice: KubeObject, old: KubeObject | undefined, type?: ResourceType, ctx: ValidationContext = {}): FieldError[] {
  const wording = kindFacts(type).nonSpecialIPWording;
  const allowLoopback = ctx.allowLoopbackEndpoints === true;
  const errs: FieldError[] = [];
  const addressType = str(slice['addressType']);
  const valid = old ? [...SUPPORTED_ADDRESS_TYPES, ...DEPRECATED_ADDRESS_TYPES].sort() : SUPPORTED_ADDRESS_TYPES;
  if (addressType === '') errs.push(required('addressType', ''));
  else if (!valid.includes(addressType)) errs.push(notSupported('addressType', addressType, valid));
  errs.push(...validateEndpointList(arr(slice['endpoints']), addressType, wording, allowLoopback));
  errs.push(...validatePorts(arr(slice['ports'])));
  if (old) errs.push(...immutable('addressType', slice['addressType'], old['addressType']));
  return errs;
}
