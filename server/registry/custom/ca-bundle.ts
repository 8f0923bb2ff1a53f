/**
 * Why client-go would refuse a CA bundle, as upstream's webhook.ValidateCABundle finds out through
 * transport.TLSConfigFor: the bundle loads when Go's x509 CertPool.AppendCertsFromPEM adds at least
 * one certificate (a `CERTIFICATE` PEM block without headers that parses); otherwise client-go's
 * createErrorParsingCAData names the first problem: no PEM block where one should start, a
 * certificate block that does not parse, or no certificate at all. PEM blocks are found as Go's
 * encoding/pem Decode finds them (junk before a block is skipped, a malformed block is passed over).
 */
import { X509Certificate } from 'node:crypto';

interface PemBlock {
  type: string;
  hasHeaders: boolean;
  bytes: Buffer;
}

/** Go's pem getLine: up to the next '\n', without it and without trailing '\r', spaces and tabs. */
function getLine(data: string): [string, string] {
  const at = data.indexOf('\n');
  const [line, rest] = at < 0 ? [data, ''] : [data.slice(0, at), data.slice(at + 1)];
  return [line.replace(/[\r \t]+$/, ''), rest];
}

/** Go's base64.StdEncoding strictly (padding required), after pem removes spaces and tabs; line breaks are ignored as Go ignores them. */
function decodeBase64(text: string): Buffer | undefined {
  const s = text.replace(/[ \t\r\n]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

/** Go's pem.Decode over `data` (a latin1 string of the bytes): the next block and the rest, or none. */
function pemDecode(data: string): [PemBlock | undefined, string] {
  let rest = data;
  for (;;) {
    if (rest.startsWith('-----BEGIN ')) rest = rest.slice('-----BEGIN '.length);
    else {
      const at = rest.indexOf('\n-----BEGIN ');
      if (at < 0) return [undefined, data];
      rest = rest.slice(at + '\n-----BEGIN '.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith('-----')) continue;
    const type = typeLine.slice(0, -'-----'.length);
    let hasHeaders = false;
    let truncated = false;
    for (;;) {
      if (rest.length === 0) {
        truncated = true;
        break;
      }
      const [line, next] = getLine(rest);
      if (!line.includes(':')) break;
      hasHeaders = true;
      rest = next;
    }
    if (truncated) return [undefined, data];
    let endIndex: number;
    let trailerAt: number;
    if (!hasHeaders && rest.startsWith('-----END ')) {
      endIndex = 0;
      trailerAt = '-----END '.length;
    } else {
      endIndex = rest.indexOf('\n-----END ');
      trailerAt = endIndex + '\n-----END '.length;
    }
    if (endIndex < 0) continue;
    const trailer = rest.slice(trailerAt, trailerAt + type.length + 5);
    if (trailer !== `${type}-----`) continue;
    if (getLine(rest.slice(trailerAt + type.length + 5))[0] !== '') continue;
    const bytes = decodeBase64(rest.slice(0, endIndex));
    if (!bytes) continue;
    return [{ type, hasHeaders, bytes }, getLine(rest.slice(trailerAt + type.length + 5))[1]];
  }
}

function parses(der: Buffer): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

/** client-go's createErrorParsingCAData: the first reason the bundle holds no usable certificate. */
function parsingError(data: string): string {
  let rest = data;
  while (rest.length > 0) {
    const [block, next] = pemDecode(rest);
    if (!block) return 'unable to parse bytes as PEM block';
    rest = next;
    if (block.type !== 'CERTIFICATE' || block.hasHeaders) continue;
    // Go's x509 error text depends on where the DER breaks; this is its text for DER that is not a certificate at all.
    if (!parses(block.bytes)) return 'failed to parse certificate: x509: malformed certificate';
  }
  return 'no valid certificate authority data seen';
}

/** Why client-go cannot load `bundle` as root certificates, or undefined when it can (an empty bundle means the system roots). */
export function caBundleError(bundle: Buffer): string | undefined {
  if (bundle.length === 0) return undefined;
  const data = bundle.toString('latin1');
  let rest = data;
  while (rest.length > 0) {
    const [block, next] = pemDecode(rest);
    if (!block) break;
    rest = next;
    if (block.type === 'CERTIFICATE' && !block.hasHeaders && parses(block.bytes)) return undefined;
  }
  return `unable to load root certificates: ${parsingError(data)}`;
}

/** A []byte as Go's %#v prints it in a field error: `[]byte{0x2d, 0xa}`. */
export function goBytes(bytes: Buffer): string {
  return `[]byte{${[...bytes].map((b) => `0x${b.toString(16)}`).join(', ')}}`;
}
