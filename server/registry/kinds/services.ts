/**
 * Service defaulting and validation as kube-apiserver applies them: core/v1 `SetDefaults_Service`
 * and the Service strategy's clusterIP normalisation, then pkg/apis/core/validation's
 * `ValidateService` and `ValidateServiceUpdate`.
 *
 * Validation runs after the Service allocation (server/registry/service/alloc.ts) filled
 * ClusterIPs, NodePorts and the healthCheckNodePort, as upstream's: so a `LoadBalancer` Service
 * with `externalTrafficPolicy: Local` carries its healthCheckNodePort here, and node-port ranges
 * and conflicts are the allocator's errors, not validation's. Everything else a controller
 * commonly meets follows upstream, with its paths and messages.
 */
import type { FieldError } from '../../errors/status.js';
import { GoSyntax } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, validateLabels } from '../validation.js';
import { arr, duplicate, forbidden, invalid, invalidEach, notSupported, obj, required, str } from './field.js';
import { kindFacts } from './facts.js';
import { isIPv6String, isValidCIDR, isValidIP, validateNonSpecialIP } from './ip.js';
import { validatePortNum, validatePortNumOrName, validateProtocol } from './ports.js';

/** `v1.DefaultClientIPServiceAffinitySeconds`: three hours. */
const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;
/** `v1.MaxClientIPServiceAffinitySeconds`: one day. */
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

const SESSION_AFFINITIES = ['ClientIP', 'None'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const EXTERNAL_TRAFFIC_POLICIES = ['Cluster', 'Local'];
const INTERNAL_TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];

type Spec = Record<string, unknown>;

function specOf(service: KubeObject): Spec {
  return obj(service['spec']);
}

/** `ExternallyAccessible`: LoadBalancer, NodePort, or ClusterIP with externalIPs. */
function externallyAccessible(spec: Spec): boolean {
  return spec['type'] === 'LoadBalancer' || spec['type'] === 'NodePort' || (spec['type'] === 'ClusterIP' && arr(spec['externalIPs']).length > 0);
}

/**
 * Fills what core/v1 defaulting fills on a Service (sessionAffinity None, its ClientIP timeout,
 * type ClusterIP, port protocol TCP and targetPort = port, externalTrafficPolicy Cluster when
 * externally accessible, internalTrafficPolicy Cluster, allocateLoadBalancerNodePorts true) and
 * what the strategy normalises (clusterIPs from clusterIP), so validation sees what is stored.
 */
export function defaultService(service: KubeObject): void {
  if (service['spec'] === undefined || service['spec'] === null) service['spec'] = {};
  const spec = specOf(service);
  if (!spec['sessionAffinity']) spec['sessionAffinity'] = 'None';
  if (spec['sessionAffinity'] === 'ClientIP') {
    const config = obj(spec['sessionAffinityConfig']);
    const clientIP = obj(config['clientIP']);
    if (typeof clientIP['timeoutSeconds'] !== 'number') {
      spec['sessionAffinityConfig'] = { ...config, clientIP: { ...clientIP, timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
    }
  }
  if (!spec['type']) spec['type'] = 'ClusterIP';
  for (const raw of arr(spec['ports'])) {
    const port = obj(raw);
    if (raw !== port) continue;
    if (!port['protocol']) port['protocol'] = 'TCP';
    if (port['targetPort'] === undefined || port['targetPort'] === null || port['targetPort'] === 0 || port['targetPort'] === '') port['targetPort'] = port['port'];
  }
  if (externallyAccessible(spec) && !spec['externalTrafficPolicy']) spec['externalTrafficPolicy'] = 'Cluster';
  if (spec['internalTrafficPolicy'] === undefined && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(str(spec['type']))) spec['internalTrafficPolicy'] = 'Cluster';
  if (spec['type'] === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] === undefined) spec['allocateLoadBalancerNodePorts'] = true;
  // The strategy's normalizeClusterIPs: a lone clusterIP becomes the first of clusterIPs.
  if (str(spec['clusterIP']) && arr(spec['clusterIPs']).length === 0) spec['clusterIPs'] = [spec['clusterIP']];
}

function clusterIPs(spec: Spec): string[] {
  return arr(spec['clusterIPs']).map(str);
}

function isHeadless(spec: Spec): boolean {
  const ips = clusterIPs(spec);
  return ips.length === 1 && ips[0] === 'None';
}

/** The Go `%#v` of the (protocol, port) key upstream reports a duplicate port with. */
function portKey(protocol: string, port: number): GoSyntax {
  return new GoSyntax(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

function validateServicePort(port: Record<string, unknown>, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(port['name']);
  if (requireName && !name) errs.push(required(`${path}.name`, ''));
  else if (name) {
    errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  errs.push(...validatePortNum(port['port'], `${path}.port`));
  errs.push(...validateProtocol(port['protocol'], `${path}.protocol`));
  errs.push(...validatePortNumOrName(port['targetPort'], `${path}.targetPort`));
  if (typeof port['appProtocol'] === 'string') errs.push(...invalidEach(`${path}.appProtocol`, port['appProtocol'], isQualifiedName(port['appProtocol'])));
  return errs;
}

function validateClientIPAffinityConfig(config: unknown, path: string): FieldError[] {
  if (config === undefined || config === null) return [required(path, 'when session affinity type is ClientIP')];
  const clientIP = obj(config)['clientIP'];
  if (clientIP === undefined || clientIP === null) return [required(`${path}.clientIP`, 'when session affinity type is ClientIP')];
  const timeout = obj(clientIP)['timeoutSeconds'];
  if (typeof timeout !== 'number') return [required(`${path}.clientIP.timeoutSeconds`, 'when session affinity type is ClientIP')];
  if (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS) {
    return [invalid(`${path}.clientIP.timeoutSeconds`, timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`)];
  }
  return [];
}

/** `ValidateServiceClusterIPsRelatedFields` (the Service allocation runs it before allocating, too). */
export function validateClusterIPsRelatedFields(spec: Spec): FieldError[] {
  if (spec['type'] === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = clusterIPs(spec);
  const clusterIP = str(spec['clusterIP']);
  if (clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs', ''));
    else if (ips[0] !== clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) {
    errs.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const families = arr(spec['ipFamilies']).map(str);
  const seen = new Set<string>();
  families.forEach((family, i) => {
    if (!IP_FAMILIES.includes(family)) errs.push(notSupported(`spec.ipFamilies[${i}]`, family, IP_FAMILIES));
    if (seen.has(family)) errs.push(duplicate(`spec.ipFamilies[${i}]`, family));
    seen.add(family);
  });
  const policy = spec['ipFamilyPolicy'];
  if (policy !== undefined && policy !== null && !IP_FAMILY_POLICIES.includes(str(policy))) errs.push(notSupported('spec.ipFamilyPolicy', policy, IP_FAMILY_POLICIES));
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = isValidIP(`spec.clusterIPs[${i}]`, ip);
    if (ipErrs.length > 0) badIPs = true;
    errs.push(...ipErrs);
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1) {
    const v6 = ips.map(isIPv6String);
    const dualStack = v6.includes(true) && v6.includes(false);
    if (!dualStack) errs.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec) && ips.length > 0 && families.length > 0) {
    ips.forEach((ip, i) => {
      if (i > families.length - 1) return;
      if (families[i] === 'IPv4' && isIPv6String(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6String(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** `ValidateService` minus the object meta, on the defaulted Service. */
function validateServiceSpec(service: KubeObject, type?: ResourceType): FieldError[] {
  const spec = specOf(service);
  const errs: FieldError[] = [];
  const meta = obj(service['metadata']);
  const annotations = obj(meta['annotations']);
  const hints = annotations['service.kubernetes.io/topology-aware-hints'];
  const mode = annotations['service.kubernetes.io/topology-mode'];
  if (typeof hints === 'string' && typeof mode === 'string' && hints !== mode) {
    errs.push(invalid('metadata.annotations[service.kubernetes.io/topology-mode]', mode, 'must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified'));
  }
  const ports = arr(spec['ports']);
  const serviceType = str(spec['type']);
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && serviceType !== 'ExternalName') errs.push(required('spec.ports', ''));
  if (serviceType === 'LoadBalancer' && headless) errs.push(invalid('spec.clusterIPs[0]', 'None', 'may not be set to \'None\' for LoadBalancer services'));
  if (serviceType === 'NodePort' && headless) errs.push(invalid('spec.clusterIPs[0]', 'None', 'may not be set to \'None\' for NodePort services'));
  if (serviceType === 'ExternalName') {
    if (clusterIPs(spec).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(spec['ipFamilies']).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec['ipFamilyPolicy'] !== undefined && spec['ipFamilyPolicy'] !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const externalName = str(spec['externalName']);
    const cname = externalName.endsWith('.') ? externalName.slice(0, -1) : externalName;
    if (cname) errs.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else errs.push(required('spec.externalName', ''));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(obj(p), ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec['selector'] !== undefined && spec['selector'] !== null) errs.push(...validateLabels(obj(spec['selector']) as Record<string, string>, 'spec.selector'));
  const affinity = str(spec['sessionAffinity']);
  if (!affinity) errs.push(required('spec.sessionAffinity', ''));
  else if (!SESSION_AFFINITIES.includes(affinity)) errs.push(notSupported('spec.sessionAffinity', affinity, SESSION_AFFINITIES));
  if (affinity === 'ClientIP') errs.push(...validateClientIPAffinityConfig(spec['sessionAffinityConfig'], 'spec.sessionAffinityConfig'));
  else if (affinity === 'None' && spec['sessionAffinityConfig'] !== undefined && spec['sessionAffinityConfig'] !== null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelatedFields(spec));
  const wording = kindFacts(type).nonSpecialIPWording;
  arr(spec['externalIPs']).forEach((raw, i) => {
    const ip = str(raw);
    const path = `spec.externalIPs[${i}]`;
    const ipErrs = isValidIP(path, ip);
    errs.push(...(ipErrs.length > 0 ? ipErrs : validateNonSpecialIP(ip, path, wording)));
  });
  if (!serviceType) errs.push(required('spec.type', ''));
  else if (!SERVICE_TYPES.includes(serviceType)) errs.push(notSupported('spec.type', serviceType, SERVICE_TYPES));
  if (serviceType === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (obj(p)['nodePort']) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((raw, i) => {
    const p = obj(raw);
    if (!p['nodePort']) return;
    const key = `${str(p['protocol'])}/${String(p['nodePort'])}`;
    if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p['nodePort']));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((raw, i) => {
    const p = obj(raw);
    const n = typeof p['port'] === 'number' ? p['port'] : 0;
    const key = `${str(p['protocol'])}/${n}`;
    if (portKeys.has(key)) errs.push(duplicate(`spec.ports[${i}]`, portKey(str(p['protocol']), n)));
    portKeys.add(key);
  });
  const sourceRanges = arr(spec['loadBalancerSourceRanges']).map(str);
  if (sourceRanges.length > 0) {
    // Upstream's path really is capitalised here.
    if (serviceType !== 'LoadBalancer') errs.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    sourceRanges.forEach((value, i) => errs.push(...isValidCIDR(`spec.LoadBalancerSourceRanges[${i}]`, value.trim())));
  } else if (typeof annotations['service.beta.kubernetes.io/load-balancer-source-ranges'] === 'string') {
    const path = 'metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]';
    if (serviceType !== 'LoadBalancer') errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const value = annotations['service.beta.kubernetes.io/load-balancer-source-ranges'].trim();
    if (value) for (const cidr of value.split(',')) errs.push(...isValidCIDR(path, cidr.trim()));
  }
  if (spec['allocateLoadBalancerNodePorts'] !== undefined && spec['allocateLoadBalancerNodePorts'] !== null && serviceType !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (serviceType === 'LoadBalancer') {
    if (typeof spec['loadBalancerClass'] === 'string') errs.push(...invalidEach('spec.loadBalancerClass', spec['loadBalancerClass'], isQualifiedName(spec['loadBalancerClass'])));
  } else if (spec['loadBalancerClass'] !== undefined && spec['loadBalancerClass'] !== null) {
    errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  const etp = str(spec['externalTrafficPolicy']);
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(required('spec.externalTrafficPolicy', ''));
  else if (!EXTERNAL_TRAFFIC_POLICIES.includes(etp)) errs.push(notSupported('spec.externalTrafficPolicy', etp, EXTERNAL_TRAFFIC_POLICIES));
  const needsHealthCheck = serviceType === 'LoadBalancer' && etp === 'Local';
  const hcnp = typeof spec['healthCheckNodePort'] === 'number' ? spec['healthCheckNodePort'] : 0;
  if (!needsHealthCheck && hcnp !== 0) {
    errs.push(invalid('spec.healthCheckNodePort', hcnp, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (needsHealthCheck && hcnp === 0) {
    // The allocator fills it before validation runs, so only a write that bypasses it lands here.
    errs.push(required('spec.healthCheckNodePort', ''));
  } else if (needsHealthCheck) {
    errs.push(...validatePortNum(hcnp, 'spec.healthCheckNodePort'));
  }
  const itp = spec['internalTrafficPolicy'];
  if ((itp === undefined || itp === null) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(serviceType)) errs.push(required('spec.internalTrafficPolicy', ''));
  if (itp !== undefined && itp !== null && !INTERNAL_TRAFFIC_POLICIES.includes(str(itp))) errs.push(notSupported('spec.internalTrafficPolicy', itp, INTERNAL_TRAFFIC_POLICIES));
  return errs;
}

/** `validateUpgradeDowngradeClusterIPs`: a set clusterIP may not change (unless to/from ExternalName). */
function validateClusterIPsUpdate(spec: Spec, oldSpec: Spec): FieldError[] {
  if (spec['type'] === 'ExternalName' || oldSpec['type'] === 'ExternalName') return [];
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const ips = clusterIPs(spec);
  const oldIPs = clusterIPs(oldSpec);
  const errs: FieldError[] = [];
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, ips, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
    if (ips.length === 1 && spec['ipFamilyPolicy'] !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', spec['ipFamilyPolicy'] ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
  }
  return errs;
}

/** `validateLoadBalancerClassField` on update: a LoadBalancer keeps its class. */
function validateLoadBalancerClassUpdate(spec: Spec, oldSpec: Spec): FieldError[] {
  if (spec['type'] !== 'LoadBalancer' || oldSpec['type'] !== 'LoadBalancer') return [];
  const cls = spec['loadBalancerClass'] ?? null;
  return cls === (oldSpec['loadBalancerClass'] ?? null) ? [] : [invalid('spec.loadBalancerClass', cls, 'may not change once set')];
}

/** `validateServiceExternalTrafficFieldsUpdate`: a Service that keeps needing its healthCheckNodePort keeps it. */
function validateHealthCheckNodePortUpdate(spec: Spec, oldSpec: Spec): FieldError[] {
  const needs = (s: Spec) => s['type'] === 'LoadBalancer' && s['externalTrafficPolicy'] === 'Local';
  const hcnp = (s: Spec) => (typeof s['healthCheckNodePort'] === 'number' ? s['healthCheckNodePort'] : 0);
  return needs(oldSpec) && needs(spec) && hcnp(spec) !== hcnp(oldSpec) ? [forbidden('spec.healthCheckNodePort', 'field is immutable')] : [];
}

/** The field errors of a Service beyond its metadata; `old` marks an update. */
export function validateService(service: KubeObject, old: KubeObject | undefined, type?: ResourceType): FieldError[] {
  const errs: FieldError[] = [];
  if (old) {
    errs.push(...validateClusterIPsUpdate(specOf(service), specOf(old)));
    errs.push(...validateLoadBalancerClassUpdate(specOf(service), specOf(old)));
  }
  errs.push(...validateServiceSpec(service, type));
  if (old) errs.push(...validateHealthCheckNodePortUpdate(specOf(service), specOf(old)));
  return errs;
}

