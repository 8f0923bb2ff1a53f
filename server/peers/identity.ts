/**
 * The kube-apiserver identity (APIServerID), derived from the host name as upstream's
 * `server.NewConfig` does: `apiserver-` + the lower-case, unpadded base32 of the first 16 bytes of
 * SHA-256 over the uint16-big-endian-length-prefixed host name and `kube-apiserver`. kube-skew's
 * servers share one machine, so each server's name stands in for its host name.
 */
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(bytes.length);
  return Buffer.concat([prefix, bytes]);
}

/** RFC 4648 base32 without padding. */
export function base32NoPadding(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** The APIServerID of a server whose host name is `hostname` (26 base32 characters after `apiserver-`). */
export function apiServerID(hostname: string): string {
  const hash = createHash('sha256').update(Buffer.concat([lengthPrefixed(hostname), lengthPrefixed('kube-apiserver')])).digest();
  return `apiserver-${base32NoPadding(hash.subarray(0, 16)).toLowerCase()}`;
}
