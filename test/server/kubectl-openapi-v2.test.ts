/**
 * kubectl 1.27 and 1.28 validate (`create -f`, `apply -f`) and `explain` through `/openapi/v2` in
 * protobuf: each, with a fresh cache and validation on, against a server of its own minor creates,
 * applies (create, change, unchanged), has an unknown field refused by the server it told to be
 * Strict, and explains `deployment.spec`; then a CRD of its own: client-side apply of a custom
 * resource uses a merge patch (the v2 PATCH operation of a custom kind consumes no strategic merge
 * patch, which kubectl reads to choose) and `explain` shows the CRD's fields. Binaries that are
 * missing are skipped with a message.
 */
import t from 'tap';
import { kubectl, kubectlBinary, startCluster } from '../fixtures/cluster.js';
import { poll } from '../peers/helpers.js';

const CASES = [
  { minor: '1.27', server: 'a' },
  { minor: '1.28', server: 'b' },
];

const deployment = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;

const crd = (plural: string, kind: string): string => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: ${plural}, singular: ${kind.toLowerCase()}, kind: ${kind}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, default: 3, description: how big}
              note: {type: string, nullable: true}
              port: {x-kubernetes-int-or-string: true}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

const customResource = (kind: string, size: number): string => `apiVersion: example.com/v1
kind: ${kind}
metadata:
  name: w1
spec:
  size: ${size}
  port: http
  free: {a: 1}
`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: made
data:
  a: b
`;

t.test('kubectl 1.27 and 1.28 with OpenAPI v2', async (t) => {
  const cluster = await startCluster(t, CASES.map((c) => ({ name: c.server, minor: c.minor })));
  for (const c of CASES) {
    const binary = kubectlBinary(c.minor);
    t.test(`kubectl ${c.minor}`, { skip: binary ? false : `kubectl.${c.minor} is not installed on this machine` }, async (t) => {
      const ns = `v2-${c.minor.replace('.', '-')}`;
      // A fresh KUBECACHEDIR per call (the fixture's default), so every call downloads /openapi/v2.
      const run = (args: string[], stdin?: string) => kubectl(t, binary!, cluster, args, { context: `skew-${c.server}`, ...(stdin ? { stdin } : {}) });
      t.equal((await run(['create', 'namespace', ns])).code, 0);

      const created = await run(['create', '-n', ns, '-f', '-', '-v=6'], CONFIGMAP);
      t.equal(created.code, 0, `create -f: ${created.stderr}`);
      t.match(created.stdout, /configmap\/made created/);
      t.match(created.stderr, /GET https:\/\/[^ ]+\/openapi\/v2\?timeout=32s 200 OK/, 'kubectl read /openapi/v2');
      t.match(created.stderr, /POST [^ ]+\/configmaps\?fieldManager=kubectl-create&fieldValidation=Strict 201/, 'and asked the server for Strict validation');

      const applied = await run(['apply', '-n', ns, '-f', '-'], deployment(1));
      t.equal(applied.code, 0, `apply -f: ${applied.stderr}`);
      t.match(applied.stdout, /deployment\.apps\/web created/);
      const changed = await run(['apply', '-n', ns, '-f', '-'], deployment(2));
      t.equal(changed.code, 0, `apply -f (change): ${changed.stderr}`);
      t.match(changed.stdout, /deployment\.apps\/web configured/);
      const unchanged = await run(['apply', '-n', ns, '-f', '-'], deployment(2));
      t.equal(unchanged.code, 0);
      t.match(unchanged.stdout, /deployment\.apps\/web unchanged/);
      const serverSide = await run(['apply', '--server-side', '-n', ns, '-f', '-'], deployment(3));
      t.equal(serverSide.code, 0, `apply --server-side: ${serverSide.stderr}`);
      t.match(serverSide.stdout, /deployment\.apps\/web serverside-applied/);

      const bad = await run(['create', '-n', ns, '-f', '-'], `${CONFIGMAP.replace('made', 'bad')}spec:\n  foo: bar\n`);
      t.equal(bad.code, 1, 'an unknown field is refused');
      t.match(bad.stderr, /strict decoding error: unknown field "spec"/);

      const explain = await run(['explain', 'deployment.spec']);
      t.equal(explain.code, 0, `explain: ${explain.stderr}`);
      t.match(explain.stdout, /KIND:\s+Deployment/);
      t.match(explain.stdout, /FIELD:\s+spec <DeploymentSpec>/);
      t.match(explain.stdout, /replicas\s+<integer>/);
      t.match(explain.stdout, /template\s+<PodTemplateSpec> -required-/);

      const plural = `widgets${c.minor.replace('.', '')}`;
      const kind = `Widget${c.minor.replace('.', '')}`;
      t.equal((await run(['create', '-f', '-'], crd(plural, kind))).code, 0, 'CRD created');
      const served = await poll(() => run(['get', plural, '-n', ns]), (r) => r.code === 0, 30_000);
      t.ok(served.ok, 'the custom resource is served');
      const crCreated = await run(['apply', '-n', ns, '-f', '-'], customResource(kind, 2));
      t.equal(crCreated.code, 0, `apply -f (custom resource): ${crCreated.stderr}`);
      const crChanged = await run(['apply', '-n', ns, '-f', '-', '-v=6'], customResource(kind, 5));
      t.equal(crChanged.code, 0, `apply -f (custom resource, change): ${crChanged.stderr.split('\n').filter((l) => !/round_trippers|loader/.test(l)).join('\n')}`);
      t.match(crChanged.stdout, new RegExp(`${kind.toLowerCase()}\\.example\\.com/w1 configured`));
      t.match(crChanged.stderr, /PATCH https:\/\/[^ ]+\/w1\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict 200 OK/, 'a patch the server accepts');
      const crExplain = await run(['explain', `${plural}.spec`]);
      t.equal(crExplain.code, 0, `explain custom resource: ${crExplain.stderr}`);
      t.match(crExplain.stdout, /size\s+<integer> -required-\n\s+how big/);
    });
  }
});
