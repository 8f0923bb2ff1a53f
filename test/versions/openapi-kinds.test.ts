/**
 * A kind's OpenAPI schema is a kind's: a definition that only shares the kind's name (client-node
 * names core's claim reference and resource.k8s.io's ResourceClaim the same) must not be used, or
 * field validation would drop the object's metadata as unknown.
 */
import t from 'tap';
import { schemaForKind } from '../../versions/openapi.js';
import { SUPPORTED_MINORS } from '../../versions/manifest.js';
import { loadProfile } from '../../versions/profile.js';

t.test('resource.k8s.io/v1 ResourceClaim is not confused with core ResourceClaim', async (t) => {
  const schema = schemaForKind('1.34', { group: 'resource.k8s.io', version: 'v1', kind: 'ResourceClaim' });
  t.ok(schema === undefined || (schema.properties as Record<string, unknown>).metadata !== undefined, 'either no schema or a kind schema with metadata');
});

t.test('every served kind with a schema has metadata in it', async (t) => {
  let checked = 0;
  for (const minor of SUPPORTED_MINORS) {
    for (const gv of loadProfile({ minor, runtimeConfig: 'api/all=true' }).groups) {
      for (const r of gv.resources) {
        const schema = schemaForKind(minor, { group: gv.group, version: gv.version, kind: r.kind });
        if (!schema) continue;
        checked++;
        if ((schema.properties as Record<string, unknown> | undefined)?.metadata === undefined) t.fail(`${minor} ${gv.groupVersion} ${r.kind} has a schema without metadata`);
      }
    }
  }
  t.ok(checked > 500, `checked ${checked} kinds`);
});
