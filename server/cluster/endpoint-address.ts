/**
 * The address an extension server on this machine is registered with in Endpoints. Upstream refuses
 * loopback, link-local and unspecified addresses there (ValidateEndpointIP), so a server that
 * kube-skew's aggregators reach through Endpoints (the sample-apiserver) listens on, and is
 * registered with, one of the machine's other addresses. Connections to it stay on this machine.
 */
import { networkInterfaces } from 'node:os';

/** The machine's first IPv4 address that is not loopback or link-local (else such an IPv6 one). */
export function endpointAddress(): string {
  const all = Object.values(networkInterfaces()).flatMap((addrs) => addrs ?? []).filter((a) => !a.internal);
  const v4 = all.find((a) => a.family === 'IPv4' && !a.address.startsWith('169.254.'));
  if (v4) return v4.address;
  const v6 = all.find((a) => a.family === 'IPv6' && !/^fe[89ab]/i.test(a.address));
  if (v6) return v6.address;
  throw new Error('this machine has no network address but loopback: an extension server cannot be registered in Endpoints, which refuse loopback and link-local addresses as upstream does');
}
