/**
 * Reading the answers to a raw request: the HTTP/1.1 responses in the bytes a server wrote before
 * it closed the connection (more than one when an injected request line got through), framed by
 * Content-Length, chunked encoding or the end of the connection.
 */

/** One response read off a raw connection. */
export interface ParsedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function dechunk(data: Buffer, from: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = data.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return undefined;
    const size = parseInt(data.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size < 0) return undefined;
    at = eol + 2;
    if (size === 0) {
      const end = data.indexOf('\r\n\r\n', at - 2, 'latin1');
      return { body: Buffer.concat(parts), end: end < 0 ? data.length : end + 4 };
    }
    if (at + size > data.length) return undefined;
    parts.push(data.subarray(at, at + size));
    at += size + 2;
  }
}

/** Every complete response in `data`, in order; an incomplete tail is returned as far as it goes. */
export function parseResponses(data: Buffer): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd < 0) break;
    const lines = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '');
    if (!status) break;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    let body: Buffer;
    let next: number;
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunked = dechunk(data, bodyStart);
      if (!chunked) {
        out.push({ status: Number(status[1]), headers, body: data.subarray(bodyStart) });
        break;
      }
      body = chunked.body;
      next = chunked.end;
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      body = data.subarray(bodyStart, bodyStart + n);
      next = bodyStart + n;
    } else {
      body = data.subarray(bodyStart);
      next = data.length;
    }
    out.push({ status: Number(status[1]), headers, body });
    at = next;
  }
  return out;
}
