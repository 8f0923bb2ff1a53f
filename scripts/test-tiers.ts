/**
 * The fast test tier, `npm run test:unit` (`run-tests.js --tier unit`): the test files that run
 * entirely in the test's own process — pure functions, a temporary SQLite store, an in-process
 * listener on port 0 — and start no server process, cluster, kubectl, etcd or CLI child. `npm test`
 * still runs every file, these included.
 *
 * Kept by hand: a file joins when it starts nothing outside its process and runs in well under
 * 20 s on an idle machine. `run-tests.js` refuses a listed file that no longer exists, so a rename
 * cannot drop a file from the tier silently.
 */
export const UNIT_TIER: readonly string[] = [
  // Request handling, filters and the in-process HTTPS listener.
  'bench/load',
  'cluster/log-format',
  'server/advertise-address',
  'server/clock',
  'server/http/nesting',
  'server/limits-unit',
  'server/protobuf/decode',
  'server/request-info',
  'server/endpoints/custom-table',
  'server/endpoints/table',
  // Registry: selectors, validation, patches, custom resources, CEL, racing writes on one store.
  'server/registry/selectors',
  'server/registry/validation',
  'server/registry/custom-schema',
  'server/registry/custom/cel',
  'server/registry/custom/cel-libraries',
  'server/registry/racing-writes',
  'server/strategic-merge',
  'server/service/ranges',
  'server/controlplane/endpoint-reconciler',
  // Controllers against stub servers, authorization, aggregation.
  'server/controllers-deleter',
  'server/controllers-namespace-backoff',
  'server/authz/delegating',
  'server/authz/modes',
  'server/authz/policy',
  'server/aggregator/authentication-trust',
  'server/aggregator/autoregister',
  // The Mixed Version Proxy's decision table, discovery merging, peer exclusion.
  'peers/proxy-filter',
  'peers/proxy-decision-log',
  'peers/exclusion',
  'peers/unit',
  // Storage keys and compaction on a temporary store.
  'storage/keys',
  'storage/compactor',
  // Version data: manifests, profiles, features, OpenAPI, import.
  'versions/deprecations',
  'versions/diff',
  'versions/features',
  'versions/import',
  'versions/manifest',
  'versions/minor-1.37',
  'versions/openapi-kinds',
  'versions/openapi-minors',
  'versions/profile',
  'versions/runtime-config',
  // Scenario engine pieces that run no scenario.
  'scenarios/vars',
  'scenarios/html-report-page',
].map((name) => `dist/test/${name}.test.js`);
