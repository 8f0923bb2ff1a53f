/**
 * kube-openapi's deduplicateParameters for an OpenAPI v2 document: every parameter (of an operation
 * or a path) is moved into the document's `parameters` under `<name>-<hash>` and replaced by a
 * `$ref`, except the ones kube-openapi keeps inline: `name` path and query parameters, `dryRun` and
 * `fieldValidation` query parameters (kubectl up to 1.27 looks for them inline in the kind's PATCH
 * operation) and body parameters whose schema is not an apimachinery type. The hash is the first six
 * bytes of the 64-bit FNV-1 hash of the parameter's JSON, URL-safe base64; kube-skew hashes its own
 * JSON text, so the suffixes are not upstream's bytes.
 */
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function keptInline(p: Json): boolean {
  if ((p.in === 'query' || p.in === 'path') && p.name === 'name') return true;
  if (p.in === 'query' && (p.name === 'fieldValidation' || p.name === 'dryRun')) return true;
  if (p.in === 'body' && p.name === 'body' && p.schema && !String(p.schema.$ref ?? '').startsWith('#/definitions/io.k8s.apimachinery')) return true;
  return false;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/** Go's fnv.New64 (FNV-1) of `text`, then the first six bytes in URL-safe base64 (8 characters). */
function shortHash(text: string): string {
  let h = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) h = ((h * FNV_PRIME) & MASK) ^ BigInt(byte);
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(h);
  return bytes.subarray(0, 6).toString('base64url');
}

function lists(paths: Json): Json[][] {
  const out: Json[][] = [];
  for (const item of Object.values(paths)) {
    for (const m of METHODS) if (Array.isArray(item[m]?.parameters)) out.push(item[m].parameters);
    if (Array.isArray(item.parameters)) out.push(item.parameters);
  }
  return out;
}

/**
 * Share the parameters of `doc.paths` in `doc.parameters` (changing `doc` in place): the names are
 * assigned in the sorted order of the parameters' JSON, as upstream assigns them.
 */
export function shareParameters(doc: Json): void {
  const all = lists(doc.paths ?? {});
  const byJson = new Map<string, Json>();
  for (const params of all) {
    for (const p of params) {
      if (typeof p.$ref === 'string' || keptInline(p)) continue;
      const key = JSON.stringify(p);
      if (!byJson.has(key)) byJson.set(key, p);
    }
  }
  const names = new Map<string, string>();
  const shared: Json = {};
  for (const key of [...byJson.keys()].sort()) {
    const p = byJson.get(key)!;
    const base = p.name || 'param';
    let name = `${base}-${shortHash(key)}`;
    for (let i = 1; shared[name] !== undefined; i++) name = `${base}-${i}`;
    shared[name] = p;
    names.set(key, name);
  }
  for (const params of all) {
    for (let i = 0; i < params.length; i++) {
      const name = names.get(JSON.stringify(params[i]));
      if (name) params[i] = { $ref: `#/parameters/${name}` };
    }
  }
  const sorted: Json = {};
  for (const name of Object.keys(shared).sort()) sorted[name] = shared[name];
  doc.parameters = sorted;
}
