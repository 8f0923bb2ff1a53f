/** What `kube-skew hosts up` prints of a several-hosts cluster it started. */
import type { SeveralHosts } from './several-hosts.js';

/** One line per host: its namespace, address, minor, how its peer address is found, and the address itself. */
export function formatHosts(run: SeveralHosts): string {
  const lines = run.servers.map((s) => {
    const etcd = run.etcd.find((m) => m.name === s.host.name);
    return `${s.host.name}  netns ${s.host.netns}  ${s.host.address}  kube-skew ${s.minor} (${s.addressing}: peers dial ${s.peerAddress})  etcd ${etcd?.url ?? '-'}`;
  });
  return `${lines.join('\n')}\nbridge ${run.hosts.bridge} ${run.hosts.gateway}/24 (this machine)\nkubeconfig ${run.cluster.kubeconfigPath}\n`;
}
