/**
 * Real kubectl 1.33 explains a +enum field of a 1.33 server as it does against kube-apiserver: the
 * ENUM section lists the values of the minor's v3 spec and the description ends with upstream's
 * `Possible enum values:` paragraph.
 */
import t from 'tap';
import { kubectl, kubectlBinary, startCluster } from '../fixtures/cluster.js';

const binary = kubectlBinary('1.33');
t.test('kubectl 1.33 explain service.spec.type and .externalTrafficPolicy', { skip: binary ? false : 'kubectl.1.33 is not installed on this machine' }, async (t) => {
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.33' }]);
  const type = await kubectl(t, binary!, cluster, ['explain', 'service.spec.type'], { context: 'skew-s1' });
  t.equal(type.code, 0, `explain: ${type.stderr}`);
  t.match(type.stdout, 'KIND:       Service\nVERSION:    v1\n\nFIELD: type <string>\nENUM:\n    ClusterIP\n    ExternalName\n    LoadBalancer\n    NodePort\n\nDESCRIPTION:\n');
  t.match(type.stdout, '    Possible enum values:\n     - `"ClusterIP"` means a service will only be accessible inside the cluster,\n    via the cluster IP.\n');
  const etp = await kubectl(t, binary!, cluster, ['explain', 'service.spec.externalTrafficPolicy'], { context: 'skew-s1' });
  t.equal(etp.code, 0, `explain: ${etp.stderr}`);
  t.match(etp.stdout, 'FIELD: externalTrafficPolicy <string>\nENUM:\n    Cluster\n    Local\n\nDESCRIPTION:\n');
  t.match(etp.stdout, '     - `"Cluster"` routes traffic to all endpoints.\n');
});
