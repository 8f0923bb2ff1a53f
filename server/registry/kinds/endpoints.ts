/**
 * Endpoints validation as pkg/apis/core/validation's `ValidateEndpoints` (create and update alike):
 * every subset needs `addresses` or `notReadyAddresses`; an address has a valid, non-special IP, a
 * DNS-1123 label hostname and a DNS-1123 subdomain nodeName; a port is named (a DNS-1123 label,
 * required when the subset has several), in range, with protocol TCP, UDP or SCTP, and a qualified
 * appProtocol. Upstream once refused a changed nodeName on update (the "transition rule"); the
 * releases kube-skew simulates allow it (ValidateEndpointsUpdate: "NodeName changes are allowed
 * during update to accommodate the case where nodeIP or PodCIDR is reused"), so neither does this.
 */
import type { FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import type { ValidationContext } from '../admission.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation.js';
import { arr, invalidEach, obj, required, str } from './field.js';
import { kindFacts } from './facts.js';
import { isValidIP, validateNonSpecialIP, type NonSpecialIPWording } from './ip.js';
import { validatePortNum, validateProtocol } from './ports.js';

function validateAddress(address: Record<string, unknown>, path: string, wording: NonSpecialIPWording, allowLoopback: boolean): FieldError[] {
  const ip = str(address['ip']);
  const errs = isValidIP(`${path}.ip`, ip);
  const hostname = str(address['hostname']);
  if (hostname) errs.push(...invalidEach(`${path}.hostname`, hostname, isDNS1123Label(hostname)));
  if (typeof address['nodeName'] === 'string') {
    const nodeName = address['nodeName'];
    errs.push(...invalidEach(`${path}.nodeName`, nodeName, isDNS1123Subdomain(nodeName)));
  }
  // Upstream runs both checks, so a malformed IP is reported twice ("must be a valid IP address, (e.g. …)"
  // and "must be a valid IP address").
  errs.push(...validateNonSpecialIP(ip, `${path}.ip`, wording, allowLoopback));
  return errs;
}

function validatePort(port: Record<string, unknown>, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(port['name']);
  if (requireName && !name) errs.push(required(`${path}.name`, ''));
  else if (name) errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
  errs.push(...validatePortNum(port['port'], `${path}.port`));
  errs.push(...validateProtocol(port['protocol'], `${path}.protocol`));
  if (typeof port['appProtocol'] === 'string') errs.push(...invalidEach(`${path}.appProtocol`, port['appProtocol'], isQualifiedName(port['appProtocol'])));
  return errs;
}

/** Fills core/v1 defaulting of an Endpoints object: a port without a protocol gets TCP. */
export function defaultEndpoints(endpoints: KubeObject): void {
  for (const subset of arr(endpoints['subsets']).map(obj)) {
    for (const port of arr(subset['ports']).map(obj)) if (!port['protocol']) port['protocol'] = 'TCP';
  }
}

/** The field errors of an Endpoints object's subsets. */
export function validateEndpoints(endpoints: KubeObject, _old: KubeObject | undefined, type?: ResourceType, ctx: ValidationContext = {}): FieldError[] {
  const wording = kindFacts(type).nonSpecialIPWording;
  const allowLoopback = ctx.allowLoopbackEndpoints === true;
  const errs: FieldError[] = [];
  arr(endpoints['subsets']).forEach((raw, i) => {
    const subset = obj(raw);
    const path = `subsets[${i}]`;
    const addresses = arr(subset['addresses']);
    const notReady = arr(subset['notReadyAddresses']);
    if (addresses.length === 0 && notReady.length === 0) errs.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...validateAddress(obj(a), `${path}.addresses[${j}]`, wording, allowLoopback)));
    notReady.forEach((a, j) => errs.push(...validateAddress(obj(a), `${path}.notReadyAddresses[${j}]`, wording, allowLoopback)));
    const ports = arr(subset['ports']);
    ports.forEach((p, j) => errs.push(...validatePort(obj(p), ports.length > 1, `${path}.ports[${j}]`)));
  });
  return errs;
}
