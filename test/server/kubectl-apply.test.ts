/**
 * Real kubectl through the patch paths against real server processes: client-side `apply -f`
 * (create, change, unchanged; its strategic merge patch with `$setElementOrder`), `apply
 * --server-side` (create, update, a conflict and `--force-conflicts`, and the upgrade from
 * client-side apply with its `kubectl-last-applied` follow-up), `patch` in the three types with the
 * `(no change)` case, `set image`, `label` and `annotate`. Binaries missing on this machine are
 * skipped with a message.
 */
import t from 'tap';
import { kubectl, kubectlBinary, startCluster } from '../fixtures/cluster.js';

/** Which kubectl runs against which server minor. */
const CASES = [
  { label: 'kubectl.1.32 against 1.32', binary: '1.32', minor: '1.32', server: 's1' },
  { label: 'dispatcher against 1.30 (runs kubectl 1.30)', binary: 'dispatcher', minor: '1.30', server: 's2' },
  { label: 'kubectl.1.27 against 1.27', binary: '1.27', minor: '1.27', server: 's3' },
];

const configMap = (data: Record<string, string>, name = 'app-config') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels:\n    app: demo\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: ${v}\n`)
    .join('')}`;

const deployment = (image: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox
`;

t.test('kubectl apply, patch and set against the server', async (t) => {
  const available = CASES.filter((c) => kubectlBinary(c.binary));
  if (available.length === 0) {
    t.plan(0, 'no kubectl binary is installed on this machine');
    return;
  }
  const cluster = await startCluster(t, available.map((c) => ({ name: c.server, minor: c.minor })));

  for (const c of CASES) {
    const binary = kubectlBinary(c.binary);
    t.test(c.label, { skip: binary ? false : `kubectl ${c.binary} is not installed on this machine` }, async (t) => {
      const context = `skew-${c.server}`;
      const ns = `apply-${c.server}`;
      const run = (args: string[], stdin?: string) => kubectl(t, binary!, cluster, [...args], { context, ...(stdin ? { stdin } : {}) });
      const inNs = (args: string[], stdin?: string) => run([...args, '-n', ns], stdin);
      t.equal((await run(['create', '-f', '-', '--validate=false'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`)).code, 0, 'namespace');

      // Client-side apply: create, change, unchanged.
      const created = await inNs(['apply', '--validate=false', '-f', '-'], configMap({ greeting: 'hello' }));
      t.equal(created.code, 0, `apply create: ${created.stderr}`);
      t.match(created.stdout, /configmap\/app-config created/);
      const changed = await inNs(['apply', '--validate=false', '-f', '-'], configMap({ greeting: 'hi', extra: 'x' }));
      t.equal(changed.code, 0, `apply change: ${changed.stderr}`);
      t.match(changed.stdout, /configmap\/app-config configured/);
      const unchanged = await inNs(['apply', '--validate=false', '-f', '-'], configMap({ greeting: 'hi', extra: 'x' }));
      t.equal(unchanged.code, 0, `apply unchanged: ${unchanged.stderr}`);
      t.match(unchanged.stdout, /configmap\/app-config unchanged/);
      const removed = await inNs(['apply', '--validate=false', '-f', '-'], configMap({ greeting: 'hi' }));
      t.match(removed.stdout, /configmap\/app-config configured/);
      const data = await inNs(['get', 'configmap', 'app-config', '-o', 'jsonpath={.data}']);
      t.same(JSON.parse(data.stdout), { greeting: 'hi' }, 'a key dropped from the manifest is deleted by the three-way patch');
      const yaml = await inNs(['get', 'configmap', 'app-config', '-o', 'yaml']);
      t.notMatch(yaml.stdout, /managedFields/, 'get -o yaml hides managedFields');
      const shown = await inNs(['get', 'configmap', 'app-config', '-o', 'yaml', '--show-managed-fields']);
      t.match(shown.stdout, /manager: kubectl-client-side-apply\n\s+operation: Update/, '--show-managed-fields shows the client-side apply manager');

      // Client-side apply of a Deployment: containers merged by name with $setElementOrder.
      const web = await inNs(['apply', '--validate=false', '-f', '-'], deployment('nginx:1.27', 2));
      t.equal(web.code, 0, `apply deployment: ${web.stderr}`);
      const webChanged = await inNs(['apply', '--validate=false', '-f', '-'], deployment('nginx:1.28', 3));
      t.equal(webChanged.code, 0, `apply deployment change: ${webChanged.stderr}`);
      t.match(webChanged.stdout, /deployment.apps\/web configured/);
      const images = await inNs(['get', 'deployment', 'web', '-o', 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}{.spec.replicas}']);
      t.equal(images.stdout.trim(), 'nginx=nginx:1.28 sidecar=busybox 3', 'image and replicas changed, container order kept');

      // set image: a strategic merge patch of one container.
      const setImage = await inNs(['set', 'image', 'deployment/web', 'nginx=nginx:1.29']);
      t.equal(setImage.code, 0, `set image: ${setImage.stderr}`);
      t.match(setImage.stdout, /deployment.apps\/web image updated/);
      const afterSet = await inNs(['get', 'deployment', 'web', '-o', 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}']);
      t.equal(afterSet.stdout.trim(), 'nginx=nginx:1.29 sidecar=busybox');

      // patch in the three types, each with its (no change) case.
      const merge = ['patch', 'configmap', 'app-config', '--type=merge', '-p', '{"data":{"greeting":"merged"}}'];
      t.match((await inNs(merge)).stdout, /configmap\/app-config patched\n/);
      t.match((await inNs(merge)).stdout, /configmap\/app-config patched \(no change\)/);
      const json = ['patch', 'configmap', 'app-config', '--type=json', '-p', '[{"op":"replace","path":"/data/greeting","value":"json"}]'];
      t.match((await inNs(json)).stdout, /configmap\/app-config patched\n/);
      t.match((await inNs(json)).stdout, /configmap\/app-config patched \(no change\)/);
      const strategic = ['patch', 'deployment', 'web', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:2"}]}}}}'];
      const smp = await inNs(strategic);
      t.equal(smp.code, 0, `strategic patch: ${smp.stderr}`);
      t.match(smp.stdout, /deployment.apps\/web patched\n/);
      t.match((await inNs(strategic)).stdout, /deployment.apps\/web patched \(no change\)/);
      const afterSmp = await inNs(['get', 'deployment', 'web', '-o', 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}']);
      t.equal(afterSmp.stdout.trim(), 'nginx=nginx:1.29 sidecar=busybox:2', 'merged by name');
      const badSmp = await inNs(['patch', 'deployment', 'web', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}']);
      t.equal(badSmp.code, 1);
      t.match(badSmp.stderr, /Error from server: map: map\[image:x\] does not contain declared merge key: name/);

      // label and annotate: merge patches.
      const label = await inNs(['label', 'configmap', 'app-config', 'tier=web']);
      t.match(label.stdout, /configmap\/app-config labeled/);
      const annotate = await inNs(['annotate', 'configmap', 'app-config', 'note=hello']);
      t.match(annotate.stdout, /configmap\/app-config annotated?\n/, 'annotated (kubectl 1.27 prints "annotate")');
      const meta = await inNs(['get', 'configmap', 'app-config', '-o', 'jsonpath={.metadata.labels.tier} {.metadata.annotations.note}']);
      t.equal(meta.stdout, 'web hello');

      // Server-side apply: create, update, conflict, force.
      const ssaCreate = await inNs(['apply', '--server-side', '--validate=false', '-f', '-'], configMap({ key: 'one' }, 'ssa'));
      t.equal(ssaCreate.code, 0, `apply --server-side create: ${ssaCreate.stderr}`);
      t.match(ssaCreate.stdout, /configmap\/ssa serverside-applied/);
      const ssaUpdate = await inNs(['apply', '--server-side', '--validate=false', '-f', '-'], configMap({ key: 'two' }, 'ssa'));
      t.equal(ssaUpdate.code, 0, `apply --server-side update: ${ssaUpdate.stderr}`);
      t.match(ssaUpdate.stdout, /configmap\/ssa serverside-applied/);
      t.equal((await inNs(['get', 'configmap', 'ssa', '-o', 'jsonpath={.data.key}'])).stdout, 'two');

      t.equal((await inNs(['create', '--validate=false', '-f', '-'], configMap({ key: 'one' }, 'owned'))).code, 0, 'create -f');
      const conflict = await inNs(['apply', '--server-side', '--validate=false', '-f', '-'], configMap({ key: 'two' }, 'owned'));
      t.equal(conflict.code, 1, 'a conflict fails');
      t.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-create" using v1: \.data\.key/);
      t.match(conflict.stderr, /--force-conflicts/, "kubectl's help text about forcing");
      const forced = await inNs(['apply', '--server-side', '--force-conflicts', '--validate=false', '-f', '-'], configMap({ key: 'two' }, 'owned'));
      t.equal(forced.code, 0, `--force-conflicts: ${forced.stderr}`);
      t.equal((await inNs(['get', 'configmap', 'owned', '-o', 'jsonpath={.data.key}'])).stdout, 'two');

      // From client-side to server-side apply: no conflict for fields the last-applied annotation still
      // matches; kubectl then saves the annotation as kubectl-last-applied and migrates the managers.
      t.equal((await inNs(['apply', '--validate=false', '-f', '-'], configMap({ greeting: 'hi' }, 'upgrade'))).code, 0, 'client-side apply');
      const upgrade = await inNs(['apply', '--server-side', '--validate=false', '-f', '-'], configMap({ greeting: 'server-side' }, 'upgrade'));
      t.equal(upgrade.code, 0, `client-side to server-side: ${upgrade.stderr}`);
      t.match(upgrade.stdout, /configmap\/upgrade serverside-applied/);
      const upgraded = await inNs(['get', 'configmap', 'upgrade', '-o', 'json']);
      const obj = JSON.parse(upgraded.stdout);
      t.equal(obj.data.greeting, 'server-side');
      t.match(JSON.parse(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data, { greeting: 'server-side' }, 'last-applied follows the applied configuration');
      const mfs = await inNs(['get', 'configmap', 'upgrade', '-o', 'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}', '--show-managed-fields']);
      t.match(mfs.stdout, /kubectl\/Apply/, 'kubectl owns what it applied');
      t.match(mfs.stdout, /kubectl-last-applied\/Apply/, 'the kubectl-last-applied follow-up owns the annotation');
      t.notMatch(mfs.stdout, /kubectl-client-side-apply/, 'the client-side manager was migrated into kubectl');
      // The conflict case of the upgrade: a field someone else changed since the client-side apply.
      t.equal((await inNs(['patch', 'configmap', 'app-config', '--type=merge', '-p', '{"data":{"greeting":"edited"}}'])).code, 0);
      const stale = await inNs(['apply', '--server-side', '--validate=false', '-f', '-'], configMap({ greeting: 'mine' }));
      t.equal(stale.code, 1, 'no upgrade over a field the annotation no longer matches');
      t.match(stale.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.greeting/);
    });
  }
});
