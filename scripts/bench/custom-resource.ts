/**
 * The custom resource of `bench core`: a CRD with a schema of realistic size (a few dozen
 * properties, nested objects, enums, a map list, a pattern, defaults and two CEL rules, like an
 * operator's own CRD), one object body used by every phase, and the set-up through the API: the CRD
 * created, waited for until Established and served, and a namespace filled with custom resources.
 */
import type { KubeObject } from '../../server/registry/object.js';
import type { ApiClient } from './client.js';

export const CR_GROUP = 'bench.kube-skew.io';
export const CR_VERSION = 'v1';
export const CR_PLURAL = 'appdeployments';
export const CR_KIND = 'AppDeployment';

/** The collection path of the benchmark's custom resources in `namespace`. */
export function customResourcePath(namespace: string): string {
  return `/apis/${CR_GROUP}/${CR_VERSION}/namespaces/${namespace}/${CR_PLURAL}`;
}

const str = (extra: Record<string, unknown> = {}) => ({ type: 'string', maxLength: 253, ...extra });
const quantity = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
const resources = { type: 'object', properties: { cpu: quantity, memory: quantity, 'ephemeral-storage': quantity } };

/** The benchmark's CRD: namespaced, one version, status subresource. */
export const BENCH_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${CR_PLURAL}.${CR_GROUP}` },
  spec: {
    group: CR_GROUP,
    scope: 'Namespaced',
    names: { plural: CR_PLURAL, singular: 'appdeployment', kind: CR_KIND, shortNames: ['appd'] },
    versions: [
      {
        name: CR_VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['image', 'replicas'],
                'x-kubernetes-validations': [
                  { rule: "self.strategy.type == 'RollingUpdate' || !has(self.strategy.maxSurge)", message: 'maxSurge needs the RollingUpdate strategy' },
                  { rule: 'self.replicas <= self.autoscaling.maxReplicas', message: 'replicas must not exceed autoscaling.maxReplicas' },
                ],
                properties: {
                  image: str({ pattern: '^[a-z0-9./:@_-]+$' }),
                  imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'], default: 'IfNotPresent' },
                  replicas: { type: 'integer', minimum: 0, maximum: 1000 },
                  paused: { type: 'boolean', default: false },
                  tier: { type: 'string', enum: ['frontend', 'backend', 'batch'] },
                  serviceAccountName: str(),
                  command: { type: 'array', maxItems: 16, items: str() },
                  args: { type: 'array', maxItems: 32, items: str() },
                  env: {
                    type: 'array',
                    maxItems: 64,
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: { type: 'object', required: ['name'], properties: { name: str(), value: { type: 'string', maxLength: 4096 } } },
                  },
                  ports: {
                    type: 'array',
                    maxItems: 16,
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: {
                      type: 'object',
                      required: ['name', 'port'],
                      properties: {
                        name: str({ maxLength: 15 }),
                        port: { type: 'integer', minimum: 1, maximum: 65535 },
                        protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'], default: 'TCP' },
                      },
                    },
                  },
                  resources: { type: 'object', properties: { requests: resources, limits: resources } },
                  strategy: {
                    type: 'object',
                    default: { type: 'RollingUpdate' },
                    properties: {
                      type: { type: 'string', enum: ['RollingUpdate', 'Recreate'] },
                      maxSurge: quantity,
                      maxUnavailable: quantity,
                    },
                  },
                  autoscaling: {
                    type: 'object',
                    required: ['maxReplicas'],
                    properties: {
                      enabled: { type: 'boolean' },
                      minReplicas: { type: 'integer', minimum: 1 },
                      maxReplicas: { type: 'integer', minimum: 1, maximum: 1000 },
                      targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100 },
                    },
                  },
                  probes: {
                    type: 'object',
                    properties: Object.fromEntries(
                      ['liveness', 'readiness'].map((kind) => [
                        kind,
                        { type: 'object', properties: { path: str(), port: { type: 'integer' }, periodSeconds: { type: 'integer', minimum: 1, default: 10 }, failureThreshold: { type: 'integer', minimum: 1, default: 3 } } },
                      ]),
                    ),
                  },
                  storage: { type: 'object', properties: { size: str({ pattern: '^[0-9]+(Mi|Gi|Ti)$' }), storageClassName: str(), accessMode: { type: 'string', enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'] } } },
                  nodeSelector: { type: 'object', maxProperties: 16, additionalProperties: str() },
                  annotations: { type: 'object', maxProperties: 32, additionalProperties: { type: 'string', maxLength: 1024 } },
                },
              },
              status: {
                type: 'object',
                properties: {
                  observedGeneration: { type: 'integer' },
                  readyReplicas: { type: 'integer' },
                  phase: { type: 'string', enum: ['Pending', 'Progressing', 'Available', 'Failed'] },
                  conditions: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['type'],
                    items: {
                      type: 'object',
                      required: ['type', 'status'],
                      properties: { type: str(), status: { type: 'string', enum: ['True', 'False', 'Unknown'] }, reason: str(), message: { type: 'string', maxLength: 32768 }, lastTransitionTime: { type: 'string', format: 'date-time' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** The body a client POSTs to create custom resource `name` in `namespace`; valid under every rule of {@link BENCH_CRD}. */
export function customResourceBody(namespace: string, name: string): KubeObject {
  return {
    apiVersion: `${CR_GROUP}/${CR_VERSION}`,
    kind: CR_KIND,
    metadata: { name, namespace, labels: { app: 'kube-skew-bench' } },
    spec: {
      image: 'registry.example.com/team/app:1.4.2',
      replicas: 3,
      tier: 'backend',
      serviceAccountName: 'app',
      command: ['/app/server'],
      args: ['--listen=:8080', '--log-level=info'],
      env: [
        { name: 'MODE', value: 'production' },
        { name: 'CACHE_SIZE', value: '256' },
      ],
      ports: [
        { name: 'http', port: 8080 },
        { name: 'metrics', port: 9090 },
      ],
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: 1, memory: '512Mi' } },
      strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: 0 },
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
      probes: { liveness: { path: '/healthz', port: 8080 }, readiness: { path: '/readyz', port: 8080, periodSeconds: 5 } },
      storage: { size: '10Gi', storageClassName: 'standard', accessMode: 'ReadWriteOnce' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    },
  };
}

/** Polls `fn` every 100 ms until it is true; throws after `ms`. */
async function waitFor(what: string, fn: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Creates {@link BENCH_CRD} through `admin`, waits until it is Established and its custom resources
 * are served, then creates `count` custom resources named `name(i)` in `namespace` (which must exist).
 */
export async function setUpCustomResources(admin: ApiClient, namespace: string, count: number, name: (i: number) => string): Promise<void> {
  const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  await admin.expect(201, 'POST', crdPath, BENCH_CRD);
  await waitFor('the benchmark CRD to be Established', async () => {
    const crd = await admin.expect<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(200, 'GET', `${crdPath}/${BENCH_CRD.metadata!.name}`);
    return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  });
  // The server serves the CRD once its own informer has it; until then the collection is a 404.
  await waitFor('the benchmark custom resources to be served', async () => (await admin.call('GET', customResourcePath(namespace))).status === 200);
  for (let i = 0; i < count; i++) await admin.expect(201, 'POST', customResourcePath(namespace), customResourceBody(namespace, name(i)));
}
