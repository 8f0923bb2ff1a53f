/**
 * Port checks as apimachinery's `util/validation` (`IsValidPortNum`, `IsValidPortName`) and
 * pkg/apis/core/validation's `ValidatePortNumOrName` and protocol check.
 */
import type { FieldError } from '../../errors/status.js';
import { invalid, invalidEach, notSupported, required } from './field.js';

/** The protocols of a port, in upstream's sorted order (`sets.List(supportedPortProtocols)`). */
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

/** `IsValidPortNum`: 1..65535. */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** `IsValidPortName`: an IANA_SVC_NAME (at most 15 characters, a letter, no double or edge hyphens). */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** `ValidatePortNumOrName`: an int-or-string target port. */
export function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'number') return invalidEach(field, port, isValidPortNum(port));
  const name = typeof port === 'string' ? port : '';
  if (name === '') return [required(field, '')];
  return invalidEach(field, name, isValidPortName(name));
}

/** Protocol required and one of TCP, UDP, SCTP. */
export function validateProtocol(protocol: unknown, field: string): FieldError[] {
  if (protocol === undefined || protocol === null || protocol === '') return [required(field, '')];
  return (PORT_PROTOCOLS as readonly unknown[]).includes(protocol) ? [] : [notSupported(field, protocol, PORT_PROTOCOLS)];
}

/** Each `IsValidPortNum` message as an Invalid error at `field`. */
export function validatePortNum(port: unknown, field: string): FieldError[] {
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n).map((m) => invalid(field, n, m));
}
