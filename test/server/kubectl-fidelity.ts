/**
 * The client-fidelity suite shared by the kubectl-fidelity-*.test.ts files: each real kubectl minor
 * drives a server of its own minor through the typed commands that send protobuf (`create
 * namespace|configmap|secret generic|serviceaccount|deployment|job|cronjob|service|role|rolebinding|
 * clusterrole|clusterrolebinding|pdb`), `scale` (merge PATCH and the Content-Type-less PUT of
 * `--current-replicas`), `auth can-i` (yes, and no under a policy file), `auth can-i --list`, `auth
 * whoami` (or upstream's error where the minor cannot), `logs`, and a deprecated API's `Warning:`.
 * Every server runs with the same policy file; the admin (system:masters) is never restricted by it,
 * the user `jane` (group `devs`) only reads pods and configmaps in `default`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { Test } from 'tap';
import { loadProfile } from '../../versions/profile.js';
import { deprecationWarning } from '../../versions/deprecations.js';
import { signCert } from '../../server/cluster/pki.js';
import type { Cluster } from '../../server/cluster/cluster.js';
import { api, kubectl, kubectlBinary, startCluster, tempDir, urlOf } from '../fixtures/cluster.js';

/** The policy every server of the suite runs with. */
const POLICY = `# jane may read pods and configmaps in default, nothing else
- group: devs
  verbs: [get, list, watch]
  apiGroups: [""]
  resources: [pods, configmaps]
  namespaces: [default]
`;

/** The deprecated resource a minor serves, as kubectl names it, and upstream's warning text. */
function deprecatedResource(minor: string, cluster: Cluster): { arg: string; warning: string } | undefined {
  const mvp = cluster.mvpFlags({ minor });
  const profile = loadProfile({ minor, runtimeConfig: mvp.runtime.join(','), featureGates: mvp.gates.join(',') });
  const found: Array<{ arg: string; warning: string; core: boolean }> = [];
  for (const gv of profile.groups) {
    for (const r of gv.resources) {
      if (!r.verbs.includes('list')) continue;
      const warning = deprecationWarning(gv.group, gv.version, r.kind, 1, profile.minorNumber);
      if (warning) found.push({ arg: gv.group ? `${r.name}.${gv.version}.${gv.group}` : r.name, warning, core: gv.group === '' });
    }
  }
  return found.find((f) => !f.core) ?? found[0];
}

/** Which SelfSubjectReview versions a kubectl minor tries, in order (1.27 predates v1). */
function whoamiVersions(kubectlMinor: number): string[] {
  return kubectlMinor >= 28 ? ['v1', 'v1beta1', 'v1alpha1'] : ['v1beta1', 'v1alpha1'];
}

/** A kubeconfig naming the user jane (group devs) with one context `jane-<server>` per server. */
async function janeKubeconfig(t: Test, cluster: Cluster): Promise<string> {
  const cert = await signCert(cluster.pki.ca, { commonName: 'jane', organizations: ['devs'], usage: 'client' });
  const admin = parseYaml(await import('node:fs/promises').then((fs) => fs.readFile(cluster.kubeconfigPath, 'utf8'))) as {
    clusters: Array<{ name: string }>;
  };
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: admin.clusters,
    users: [{ name: 'jane', user: { 'client-certificate-data': b64(cert.cert), 'client-key-data': b64(cert.key) } }],
    contexts: admin.clusters.map((c) => ({ name: c.name.replace(/^skew/, 'jane'), context: { cluster: c.name, user: 'jane' } })),
    'current-context': 'jane',
  };
  const path = join(await tempDir(t, 'jane-'), 'kubeconfig');
  await writeFile(path, toYaml(doc), { mode: 0o600 });
  return path;
}

/** Run the suite for `minors`, one server per minor, each driven by its own kubectl. */
export async function runFidelitySuite(t: Test, minors: string[]): Promise<void> {
  const policyDir = await tempDir(t, 'policy-');
  const policyFile = join(policyDir, 'policy.yaml');
  await writeFile(policyFile, POLICY);
  const servers = minors.map((minor, i) => ({ name: `m${i + 1}`, minor, args: [`--authorization-policy-file=${policyFile}`] }));
  const cluster = await startCluster(t, servers);
  const janePath = await janeKubeconfig(t, cluster);

  for (const [i, minor] of minors.entries()) {
    const server = `m${i + 1}`;
    const binary = kubectlBinary(minor);
    t.test(`kubectl.${minor} against a ${minor} server`, { skip: binary ? false : `kubectl.${minor} is not installed on this machine` }, async (t) => {
      const context = `skew-${server}`;
      const run = (args: string[]) => kubectl(t, binary!, cluster, args, { context });
      const asJane = (args: string[]) => kubectl(t, binary!, { kubeconfigPath: janePath } as Cluster, args, { context: `jane-${server}` });
      const ns = `fidelity-${server}`;

      // Typed generators: every one of these sends a protobuf body.
      const created = await run(['create', 'namespace', ns]);
      t.equal(created.code, 0, `create namespace: ${created.stderr}`);
      t.match(created.stdout, `namespace/${ns} created`);
      const generators: Array<[string[], string]> = [
        [['create', 'configmap', 'lit', '--from-literal=a=b'], 'configmap/lit created'],
        [['create', 'secret', 'generic', 's1', '--from-literal=p=q'], 'secret/s1 created'],
        [['create', 'serviceaccount', 'sa1'], 'serviceaccount/sa1 created'],
        [['create', 'deployment', 'web', '--image=nginx', '--port=80', '--replicas=2'], 'deployment.apps/web created'],
        [['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'], 'job.batch/j1 created'],
        [['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/5 * * * *'], 'cronjob.batch/cj1 created'],
        [['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080'], 'service/svc1 created'],
        [['create', 'role', 'r1', '--verb=get,list', '--resource=pods'], 'role.rbac.authorization.k8s.io/r1 created'],
        [['create', 'rolebinding', 'rb1', '--role=r1', '--user=jane'], 'rolebinding.rbac.authorization.k8s.io/rb1 created'],
        [['create', 'clusterrole', `cr-${server}`, '--verb=get', '--resource=nodes'], `clusterrole.rbac.authorization.k8s.io/cr-${server} created`],
        [['create', 'clusterrolebinding', `crb-${server}`, `--clusterrole=cr-${server}`, '--group=devs'], `clusterrolebinding.rbac.authorization.k8s.io/crb-${server} created`],
        [['create', 'poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%'], 'poddisruptionbudget.policy/pdb1 created'],
      ];
      for (const [args, expected] of generators) {
        const r = await run(['-n', ns, ...args]);
        t.equal(r.code, 0, `${args.slice(0, 3).join(' ')}: ${r.stderr}`);
        t.match(r.stdout, expected);
      }
      const cm = await run(['get', 'configmap', 'lit', '-n', ns, '-o', 'json']);
      t.same(JSON.parse(cm.stdout).data, { a: 'b' }, 'configmap data decoded');
      const secret = await run(['get', 'secret', 's1', '-n', ns, '-o', 'jsonpath={.data.p}']);
      t.equal(secret.stdout, 'cQ==', 'secret bytes decoded');
      const deploy = JSON.parse((await run(['get', 'deployment', 'web', '-n', ns, '-o', 'json'])).stdout);
      t.same(deploy.spec.selector, { matchLabels: { app: 'web' } });
      // kubectl up to 1.31 sends these generators as JSON (with `resources: {}`), 1.32 on as protobuf.
      const [container] = deploy.spec.template.spec.containers;
      // The template gets core/v1's defaults, as upstream stores them: the port's protocol is TCP.
      t.same([container.name, container.image, container.ports], ['nginx', 'nginx', [{ containerPort: 80, protocol: 'TCP' }]], 'the PodSpec tree decoded, defaults stored');
      t.equal(deploy.spec.replicas, 2);
      const svc = JSON.parse((await run(['get', 'service', 'svc1', '-n', ns, '-o', 'json'])).stdout);
      t.same(svc.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
      const pdb = JSON.parse((await run(['get', 'pdb', 'pdb1', '-n', ns, '-o', 'json'])).stdout);
      t.equal(pdb.spec.minAvailable, '50%', 'IntOrString decoded');

      // scale: PATCH merge, then PUT without a Content-Type (kubectl scale --current-replicas).
      const scaled = await run(['scale', 'deployment', 'web', '-n', ns, '--replicas=5']);
      t.equal(scaled.code, 0, `scale: ${scaled.stderr}`);
      t.match(scaled.stdout, 'deployment.apps/web scaled');
      const afterScale = JSON.parse((await run(['get', 'deployment', 'web', '-n', ns, '-o', 'json'])).stdout);
      t.equal(afterScale.spec.replicas, 5);
      t.equal(afterScale.metadata.generation, 2, 'a scale bumps the generation');
      const guarded = await run(['scale', 'deployment', 'web', '-n', ns, '--current-replicas=5', '--replicas=3']);
      t.equal(guarded.code, 0, `scale --current-replicas: ${guarded.stderr}`);
      const refused = await run(['scale', 'deployment', 'web', '-n', ns, '--current-replicas=5', '--replicas=4']);
      t.equal(refused.code, 1);
      t.match(refused.stderr, 'Expected replicas to be 5, was 3');
      const url = urlOf(cluster, server);
      const scale = await api(cluster, url, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`);
      t.equal(scale.status, 200);
      t.same(scale.json.spec, { replicas: 3 });
      t.equal(scale.json.status.selector, 'app=web');
      const stale = await api(cluster, url, 'PUT', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`, {
        body: { ...scale.json, metadata: { ...scale.json.metadata, resourceVersion: '1' }, spec: { replicas: 1 } },
      });
      t.equal(stale.status, 409, 'a stale resourceVersion conflicts');
      t.equal(stale.json.message, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');

      // logs: the kube-skew.io/log annotation, or an empty log.
      const ran = await run(['run', 'logger', '-n', ns, '--image=busybox', '--annotations=kube-skew.io/log=first\nsecond\nthird\n']);
      t.equal(ran.code, 0, `run: ${ran.stderr}`);
      const logs = await run(['logs', 'logger', '-n', ns]);
      t.equal(logs.code, 0, `logs: ${logs.stderr}`);
      t.equal(logs.stdout, 'first\nsecond\nthird\n');
      t.equal((await run(['logs', 'logger', '-n', ns, '--tail=1'])).stdout, 'third\n', '--tail');
      const followed = await run(['logs', 'logger', '-n', ns, '-f']);
      t.equal(followed.code, 0, 'logs -f ends when the log does');
      t.equal((await run(['logs', 'deployment/web', '-n', ns])).code, 1, 'no pods for a deployment nobody runs');

      // auth can-i / --list / whoami as the admin.
      const canI = await run(['auth', 'can-i', 'create', 'deployments', '-n', ns]);
      t.equal(canI.code, 0, `can-i: ${canI.stderr}`);
      t.equal(canI.stdout.trim(), 'yes');
      const list = await run(['auth', 'can-i', '--list', '-n', ns]);
      t.equal(list.code, 0, `can-i --list: ${list.stderr}`);
      t.match(list.stdout, /\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
      const mvp = cluster.mvpFlags({ minor });
      const profile = loadProfile({ minor, runtimeConfig: mvp.runtime.join(','), featureGates: mvp.gates.join(',') });
      const served = profile.groups.filter((g) => g.group === 'authentication.k8s.io' && g.resources.some((r) => r.name === 'selfsubjectreviews')).map((g) => g.version);
      const whoami = await run(['auth', 'whoami']);
      if (whoamiVersions(profile.minorNumber).some((v) => served.includes(v))) {
        t.equal(whoami.code, 0, `whoami: ${whoami.stderr}`);
        t.match(whoami.stdout, /Username\s+kube-skew-admin/);
        t.match(whoami.stdout, /Groups\s+\[system:masters system:authenticated\]/);
      } else {
        t.equal(whoami.code, 1, `a ${minor} server serves no SelfSubjectReview kubectl ${minor} asks for`);
        t.match(whoami.stderr, 'the selfsubjectreviews API is not enabled in the cluster');
      }

      // The policy file: jane may read pods in default and nothing else.
      const janeYes = await asJane(['auth', 'can-i', 'list', 'pods', '-n', 'default']);
      t.equal(janeYes.stdout.trim(), 'yes', `jane can list pods: ${janeYes.stderr}`);
      const janeNo = await asJane(['auth', 'can-i', 'create', 'deployments', '-n', 'default']);
      t.equal(janeNo.code, 1);
      t.equal(janeNo.stdout.trim(), 'no', 'jane cannot create deployments');
      const janeList = await asJane(['auth', 'can-i', '--list', '-n', 'default']);
      t.equal(janeList.code, 0, `jane can-i --list: ${janeList.stderr}`);
      t.match(janeList.stdout, /pods\s+\[\]\s+\[\]\s+\[get list watch\]/);
      t.match(janeList.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io/);
      const forbidden = await asJane(['get', 'secrets', '-n', 'default']);
      t.equal(forbidden.code, 1);
      t.match(forbidden.stderr, 'Error from server (Forbidden): secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"');
      t.equal((await asJane(['get', 'pods', '-n', 'default'])).code, 0, 'jane lists pods');
      if (whoami.code === 0) {
        const janeWho = await asJane(['auth', 'whoami']);
        t.match(janeWho.stdout, /Username\s+jane/);
        t.match(janeWho.stdout, /Groups\s+\[devs system:authenticated\]/);
      }

      // A deprecated API prints upstream's warning.
      const deprecated = deprecatedResource(minor, cluster);
      t.ok(deprecated, `a ${minor} server serves some deprecated API`);
      if (deprecated) {
        const got = await run(['get', deprecated.arg]);
        t.equal(got.code, 0, `get ${deprecated.arg}: ${got.stderr}`);
        t.match(got.stderr, `Warning: ${deprecated.warning}`);
      }
    });
  }
}
