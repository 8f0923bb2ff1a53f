/**
 * kubectl 1.27 and 1.28 validate (`create -f`, `apply -f`) and `explain` through `/openapi/v2` in
 * protobuf: each, with a fresh cache and validation on, against a server of its own minor creates,
 * applies (create, change, unchanged), has an unknown field refused by the server it told to be
 * Strict, and explains `deployment.spec`. Binaries that are missing are skipped with a message.
 */
import t from 'tap';
import { kubectl, kubectlBinary, startCluster } from '../fixtures/cluster.js';

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
    });
  }
});
