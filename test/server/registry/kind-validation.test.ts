/**
 * The kind validation of Endpoints, EndpointSlices, Services, Pods, Leases and Events against real
 * server processes: one 422 per rule family with upstream's causes, valid objects accepted (with
 * the defaults upstream stores), the per-minor wording of the special-IP messages, and what real
 * kubectl shows for an Endpoints with 127.0.0.1.
 */
import t from 'tap';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../../fixtures/cluster.js';

interface Cause {
  reason: string;
  message: string;
  field: string;
}

const NS = 'default';
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

t.test('built-in kinds are validated as kube-apiserver does', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'old', minor: '1.32' },
    { name: 'new', minor: '1.33' },
  ]);
  const post = (server: string, path: string, body: unknown) => api(cluster, urlOf(cluster, server), 'POST', path, { body });
  const put = (server: string, path: string, body: unknown) => api(cluster, urlOf(cluster, server), 'PUT', path, { body });
  const causesOf = (res: { text: string }): Cause[] => {
    const status = JSON.parse(res.text) as { details?: { causes?: Cause[] } };
    return status.details?.causes ?? [];
  };

  t.test('Endpoints: loopback, missing addresses, unnamed ports, bad protocol (an omitted one defaults to TCP)', async (t) => {
    const body = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'bad-ep' },
      subsets: [
        { addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 80 }, { name: 'b', port: 70000, protocol: 'ICMP' }] },
        { ports: [{ port: 80, protocol: 'TCP' }] },
      ],
    };
    const oldRes = await post('old', `/api/v1/namespaces/${NS}/endpoints`, body);
    t.equal(oldRes.status, 422);
    t.same(causesOf(oldRes), [
      { reason: 'FieldValueInvalid', message: 'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8)', field: 'subsets[0].addresses[0].ip' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'subsets[0].ports[0].name' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive', field: 'subsets[0].ports[1].port' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"', field: 'subsets[0].ports[1].protocol' },
      { reason: 'FieldValueRequired', message: 'Required value: must specify `addresses` or `notReadyAddresses`', field: 'subsets[1]' },
    ]);
    const newRes = await post('new', `/api/v1/namespaces/${NS}/endpoints`, { ...body, subsets: [{ addresses: [{ ip: '::1' }, { ip: '0.0.0.0' }, { ip: '169.254.1.1' }] }] });
    t.equal(newRes.status, 422);
    t.same(
      causesOf(newRes).map((c) => `${c.field}: ${c.message}`),
      [
        'subsets[0].addresses[0].ip: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'subsets[0].addresses[1].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
        'subsets[0].addresses[2].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ],
      'the newer minor names both families',
    );
    const ok = await post('new', `/api/v1/namespaces/${NS}/endpoints`, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'good-ep' },
      subsets: [{ addresses: [{ ip: '10.1.2.3', hostname: 'a', nodeName: 'node-1' }], notReadyAddresses: [{ ip: '2001:db8::1' }], ports: [{ port: 80, protocol: 'TCP' }] }],
    });
    t.equal(ok.status, 201, ok.text);
  });

  t.test('EndpointSlices: address type, addresses, ports; addressType immutable', async (t) => {
    const res = await post('new', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'bad-slice' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['2001:db8::1'] }, { addresses: [] }],
      ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81, protocol: 'ICMP' }],
    });
    t.equal(res.status, 422);
    t.same(causesOf(res), [
      { reason: 'FieldValueInvalid', message: 'Invalid value: "2001:db8::1": must be a valid IPv4 address', field: 'endpoints[0].addresses[0]' },
      { reason: 'FieldValueRequired', message: 'Required value: must contain at least 1 address', field: 'endpoints[1].addresses' },
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "http"', field: 'ports[1].name' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"', field: 'ports[1].protocol' },
    ]);
    const created = await post('new', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'good-slice' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], hostname: 'pod-a' }],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
    t.equal(created.status, 201, created.text);
    const slice = JSON.parse(created.text) as Record<string, unknown>;
    const updated = await put('new', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/good-slice`, { ...slice, addressType: 'FQDN', endpoints: [{ addresses: ['example.com'] }] });
    t.equal(updated.status, 422);
    t.same(causesOf(updated), [{ reason: 'FieldValueInvalid', message: 'Invalid value: "FQDN": field is immutable', field: 'addressType' }]);
  });

  t.test('Services: defaults stored, ports, externalIPs, affinity, clusterIP immutable', async (t) => {
    const ok = await post('old', `/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, clusterIP: '10.0.0.50', ports: [{ port: 80 }] },
    });
    t.equal(ok.status, 201, ok.text);
    const svc = JSON.parse(ok.text) as { spec: Record<string, unknown> };
    t.match(svc.spec, {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      clusterIPs: ['10.0.0.50'],
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    }, 'the core/v1 defaults are stored');
    const changed = await put('old', `/api/v1/namespaces/${NS}/services/web`, { ...svc, spec: { ...svc.spec, clusterIP: '10.0.0.51', clusterIPs: ['10.0.0.51'] } });
    t.equal(changed.status, 422);
    t.same(causesOf(changed), [{ reason: 'FieldValueInvalid', message: 'Invalid value: []string{"10.0.0.51"}: may not change once set', field: 'spec.clusterIPs[0]' }]);

    const bad = await post('old', `/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bad-svc' },
      spec: {
        type: 'Bogus',
        sessionAffinity: 'Sticky',
        externalIPs: ['127.0.0.1', 'nope'],
        ports: [{ port: 80, targetPort: 'Not_A_Name' }, { name: 'b', port: 80, protocol: 'TCP' }],
      },
    });
    t.equal(bad.status, 422);
    t.same(causesOf(bad).map((c) => `${c.field}: ${c.message}`), [
      'spec.ports[0].name: Required value',
      'spec.ports[0].targetPort: Invalid value: "Not_A_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
      'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8)',
      'spec.externalIPs[1]: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);

    const noPorts = await post('old', `/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'no-ports' }, spec: { selector: { app: 'x' } } });
    t.equal(noPorts.status, 422);
    t.same(causesOf(noPorts), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports' }]);
    const headless = await post('old', `/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless' }, spec: { clusterIP: 'None' } });
    t.equal(headless.status, 201, 'a headless Service needs no ports');
    const external = await post('old', `/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com.' } });
    t.equal(external.status, 201, 'an ExternalName Service needs no ports');
  });

  t.test('Pods: containers, names, image, policies, volumes; spec immutable on update', async (t) => {
    const empty = await post('new', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: {} });
    t.equal(empty.status, 422);
    t.same(causesOf(empty), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]);
    const bad = await post('new', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bad-pod' },
      spec: {
        restartPolicy: 'Sometimes',
        volumes: [{ name: 'data', emptyDir: {}, hostPath: { path: '/tmp' } }],
        containers: [
          { name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'missing', mountPath: '/m' }], resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
          { name: 'app', image: '' },
        ],
      },
    });
    t.equal(bad.status, 422);
    t.same(causesOf(bad).map((c) => `${c.field}: ${c.message}`), [
      'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      // validateContainerCommon (name, image, …) runs before the duplicate-name check.
      'spec.containers[1].image: Required value',
      'spec.containers[1].name: Duplicate value: "app"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    const ok = await post('new', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } });
    t.equal(ok.status, 201, ok.text);
    const pod = JSON.parse(ok.text) as { spec: Record<string, unknown> };
    t.match(pod.spec, { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', containers: [{ imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File', ports: [{ protocol: 'TCP' }] }] });
    const image = await put('new', `/api/v1/namespaces/${NS}/pods/web`, { ...pod, spec: { ...pod.spec, containers: [{ ...(pod.spec['containers'] as object[])[0], image: 'nginx:1.28' }] } });
    t.equal(image.status, 200, 'the image may change');
    const current = JSON.parse(image.text) as { spec: Record<string, unknown> };
    const changed = await put('new', `/api/v1/namespaces/${NS}/pods/web`, { ...current, spec: { ...current.spec, restartPolicy: 'Never' } });
    t.equal(changed.status, 422);
    const causes = causesOf(changed);
    t.equal(causes.length, 1);
    t.equal(causes[0]!.field, 'spec');
    t.equal(causes[0]!.reason, 'FieldValueForbidden');
    t.match(
      causes[0]!.message,
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
    );
  });

  t.test('Leases and Events', async (t) => {
    const lease = await post('new', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'bad-lease' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 0, leaseTransitions: -1 },
    });
    t.equal(lease.status, 422);
    t.same(causesOf(lease), [
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than 0', field: 'spec.leaseDurationSeconds' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.leaseTransitions' },
    ]);
    const goodLease = await post('new', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'good-lease' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } });
    t.equal(goodLease.status, 201);

    const coreEvent = await post('new', `/api/v1/namespaces/${NS}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev1' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'elsewhere' },
      reason: 'Started',
      message: 'hi',
    });
    t.equal(coreEvent.status, 422);
    t.same(causesOf(coreEvent), [{ reason: 'FieldValueInvalid', message: 'Invalid value: "elsewhere": does not match event.namespace', field: 'involvedObject.namespace' }]);
    const coreOk = await post('new', `/api/v1/namespaces/${NS}/events`, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev2' }, involvedObject: { kind: 'Pod', name: 'web', namespace: NS }, reason: 'Started', message: 'hi', type: 'Normal' });
    t.equal(coreOk.status, 201, coreOk.text);

    const v1Event = await post('new', `/apis/events.k8s.io/v1/namespaces/${NS}/events`, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'ev3' },
      eventTime: '2025-01-01T00:00:00.000000Z',
      regarding: { kind: 'Pod', name: 'web', namespace: NS },
      type: 'Info',
      note: 'x'.repeat(1025),
    });
    t.equal(v1Event.status, 422);
    t.same(causesOf(v1Event).map((c) => `${c.field}: ${c.message}`), [
      'reportingController: Required value',
      // Upstream checks the empty name as a qualified name too.
      'reportingController: Invalid value: "": name part must be non-empty',
      `reportingController: Invalid value: "": ${NAME_PART_MSG}`,
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
      'message: Invalid value: "": can have at most 1024 characters',
      'type: Invalid value: "": has invalid value: Info',
    ]);
    const v1Ok = await post('new', `/apis/events.k8s.io/v1/namespaces/${NS}/events`, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'ev4' },
      eventTime: '2025-01-01T00:00:00.000000Z',
      regarding: { kind: 'Pod', name: 'web', namespace: NS },
      reportingController: 'example.com/controller',
      reportingInstance: 'controller-1',
      action: 'Start',
      reason: 'Started',
      type: 'Normal',
    });
    t.equal(v1Ok.status, 201, v1Ok.text);
  });

  const binary = kubectlBinary('1.32');
  t.test('kubectl 1.32 shows the Endpoints error a user sees', { skip: binary ? false : 'kubectl 1.32 is not installed on this machine' }, async (t) => {
    const manifest = 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: loopback\nsubsets:\n- addresses:\n  - ip: 127.0.0.1\n  ports:\n  - port: 80\n';
    const res = await kubectl(t, binary!, cluster, ['create', '-n', NS, '-f', '-', '--validate=false'], { context: 'skew-old', stdin: manifest });
    t.not(res.code, 0);
    t.equal(res.stderr.trim().split('\n').pop(), 'The Endpoints "loopback" is invalid: subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8)');
  });
});
