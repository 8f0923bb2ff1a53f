/**
 * Real kubectl against real server processes: each kubectl drives a server of its own minor through
 * the everyday commands. Binaries that are missing on this machine are skipped with a message.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { loadProfile } from '../../versions/profile.js';
import { api, kubectl, kubectlBinary, startCluster, tempDir, urlOf } from '../fixtures/cluster.js';

/** Which kubectl runs against which server minor. */
const CASES = [
  { label: 'kubectl.1.30 against 1.30', binary: '1.30', minor: '1.30', server: 's1' },
  { label: 'kubectl.1.32 against 1.32', binary: '1.32', minor: '1.32', server: 's2' },
  { label: 'dispatcher against 1.29 (runs kubectl 1.29, v2beta1 discovery)', binary: 'dispatcher', minor: '1.29', server: 's3' },
];

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  labels:
    app: demo
data:
  greeting: hello
`;

t.test('kubectl drives a server of its own minor', async (t) => {
  const cluster = await startCluster(t, CASES.map((c) => ({ name: c.server, minor: c.minor })));

  for (const c of CASES) {
    const binary = kubectlBinary(c.binary);
    t.test(c.label, { skip: binary ? false : `kubectl ${c.binary} is not installed on this machine` }, async (t) => {
      const context = `skew-${c.server}`;
      const run = (args: string[], stdin?: string) => kubectl(t, binary!, cluster, args, { context, ...(stdin ? { stdin } : {}) });
      // The cluster runs each server with its minor's proxy prerequisites (e.g. internal.apiserver.k8s.io on 1.28–1.32).
      const mvp = cluster.mvpFlags({ minor: c.minor });
      const profile = loadProfile({ minor: c.minor, runtimeConfig: mvp.runtime.join(','), featureGates: mvp.gates.join(',') });

      const version = await run(['version', '-o', 'json']);
      t.equal(version.code, 0, `version: ${version.stderr}`);
      t.equal(JSON.parse(version.stdout).serverVersion.gitVersion, `v${c.minor}.0`, 'server version is the minor');

      const resources = await run(['api-resources', '--no-headers', '-o', 'name']);
      t.equal(resources.code, 0, `api-resources: ${resources.stderr}`);
      const expected = new Set<string>();
      const seenGroups = new Set<string>();
      for (const gv of profile.groups) {
        if (seenGroups.has(gv.group)) continue; // kubectl lists each group's preferred version
        seenGroups.add(gv.group);
        for (const r of gv.resources) expected.add(gv.group ? `${r.name}.${gv.group}` : r.name);
      }
      const listed = resources.stdout.trim().split('\n');
      t.same(new Set(listed), expected, 'one api-resources row per served resource');
      t.equal(listed.length, expected.size, 'no duplicate rows');

      const versions = await run(['api-versions']);
      t.equal(versions.code, 0);
      t.same(versions.stdout.trim().split('\n').sort(), profile.groups.map((g) => g.groupVersion).sort(), 'api-versions lists served group/versions');

      const ns = `kubectl-${c.server}`;
      t.equal((await run(['create', '-f', '-', '--validate=false'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`)).code, 0, 'create namespace -f');
      const created = await run(['create', '-n', ns, '-f', '-', '--validate=false'], CONFIGMAP);
      t.equal(created.code, 0, `create -f: ${created.stderr}`);
      t.match(created.stdout, /configmap\/app-config created/);

      const table = await run(['get', 'configmaps', '-n', ns]);
      t.equal(table.code, 0);
      t.match(table.stdout, /^NAME\s+DATA\s+AGE\n/, 'server-side table columns');
      t.match(table.stdout, /app-config\s+1\s+\d+s/);

      const yaml = await run(['get', 'configmap', 'app-config', '-n', ns, '-o', 'yaml']);
      t.equal(yaml.code, 0);
      t.match(yaml.stdout, /resourceVersion: "\d+"/);
      t.match(yaml.stdout, /greeting: hello/);
      t.match(yaml.stdout, /uid: [0-9a-f-]{36}/);

      // get -w sees a change made by another client.
      const cacheDir = await tempDir(t, 'kubecache-');
      const watch = spawn(binary!, [`--kubeconfig=${cluster.kubeconfigPath}`, `--context=${context}`, 'get', 'configmap', 'app-config', '-n', ns, '-w', '-o', 'custom-columns=NAME:.metadata.name,GREETING:.data.greeting', '--request-timeout=20s'], {
        env: { ...process.env, KUBECACHEDIR: cacheDir, HOME: cacheDir },
      });
      t.teardown(() => watch.kill('SIGKILL'));
      let watched = '';
      watch.stdout.on('data', (d: Buffer) => (watched += d.toString()));
      const deadline = Date.now() + 15_000;
      while (!watched.includes('hello') && Date.now() < deadline) await sleep(50);
      const patched = await api(cluster, urlOf(cluster, c.server), 'PATCH', `/api/v1/namespaces/${ns}/configmaps/app-config`, {
        body: { data: { greeting: 'changed' } },
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      t.equal(patched.status, 200, 'another client changes the object');
      while (!watched.includes('changed') && Date.now() < deadline) await sleep(50);
      t.match(watched, /app-config\s+changed/, 'get -w printed the change');
      watch.kill('SIGTERM');

      const labelled = await run(['label', 'configmap', 'app-config', '-n', ns, 'tier=web']);
      t.equal(labelled.code, 0, `label: ${labelled.stderr}`);
      t.match(labelled.stdout, /configmap\/app-config labeled/);
      const shown = await run(['get', 'configmap', 'app-config', '-n', ns, '--show-labels', '--no-headers']);
      t.match(shown.stdout, /app=demo,tier=web/);

      const deleted = await run(['delete', 'configmap', 'app-config', '-n', ns]);
      t.equal(deleted.code, 0, `delete: ${deleted.stderr}`);
      t.match(deleted.stdout, /configmap "app-config" deleted/);
      const gone = await run(['get', 'configmap', 'app-config', '-n', ns]);
      t.equal(gone.code, 1);
      t.match(gone.stderr, /Error from server \(NotFound\): configmaps "app-config" not found/);

      await run(['create', '-n', ns, '-f', '-', '--validate=false'], CONFIGMAP);
      const nsDeleted = await run(['delete', 'namespace', ns, '--timeout=30s']);
      t.equal(nsDeleted.code, 0, `delete namespace waits until the namespace is gone: ${nsDeleted.stderr}`);
      const nsGone = await run(['get', 'namespace', ns]);
      t.match(nsGone.stderr, new RegExp(`namespaces "${ns}" not found`));

      const raw = await run(['get', '--raw', '/apis']);
      t.equal(raw.code, 0);
      const groups = JSON.parse(raw.stdout);
      t.equal(groups.kind, 'APIGroupList', 'get --raw /apis answers the legacy group list');
      t.ok(groups.groups.some((g: { name: string }) => g.name === 'apps'));
    });
  }
});
