import { minorInfo } from '../../../versions/minors.js';
import t from 'tap';
import { hasPrinter, humanDuration, toTable, translateTimestampSince } from '../../../server/endpoints/table.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');

t.test('humanDuration as util/duration.HumanDuration', async (t) => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: Array<[number, string]> = [
    [-2 * s, '<invalid>'],
    [-1.5 * s, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 12 * m, '5h12m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [2 * 365 * d + 45 * d, '2y45d'],
    [8 * 365 * d, '8y'],
    [10 * 365 * d + 100 * d, '10y'],
  ];
  for (const [ms, want] of cases) t.equal(humanDuration(ms), want, `${ms}ms`);
  t.equal(translateTimestampSince(undefined, NOW), '<unknown>');
  t.equal(translateTimestampSince(null, NOW), '<unknown>');
  t.equal(translateTimestampSince('0001-01-01T00:00:00Z', NOW), '<unknown>');
  t.equal(translateTimestampSince(ago(3600), NOW), '60m');
});

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx-1', namespace: 'default', uid: 'u1', resourceVersion: '10', creationTimestamp: ago(3600), labels: { app: 'nginx' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] },
  status: {
    phase: 'Running',
    podIP: '10.244.0.5',
    podIPs: [{ ip: '10.244.0.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: { startedAt: ago(3500) } } }],
  },
};

t.test('pod table', async (t) => {
  const table = toTable({ kind: 'Pod', group: '', items: [pod], listMeta: { resourceVersion: '1011' }, now: NOW });
  t.equal(table.kind, 'Table');
  t.equal(table.apiVersion, 'meta.k8s.io/v1');
  t.same(table.metadata, { resourceVersion: '1011' });
  t.same(
    table.columnDefinitions!.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ],
  );
  t.match(table.columnDefinitions![0]!.description, /^Name must be unique within a namespace/);
  t.equal(table.rows!.length, 1);
  t.same(table.rows![0]!.cells, ['nginx-1', '1/1', 'Running', '0', '60m', '10.244.0.5', 'node-1', '<none>', '<none>']);
  t.same(table.rows![0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  t.notOk('conditions' in table.rows![0]!);
});

t.test('pod status derivation', async (t) => {
  const row = (p: Record<string, unknown>): unknown[] => toTable({ kind: 'Pod', group: '', items: [p], now: NOW }).rows![0]!.cells;
  const base = { metadata: { name: 'p', creationTimestamp: ago(60) }, spec: { containers: [{ name: 'c' }] } };
  t.same(row({ ...base, status: { phase: 'Pending' } }).slice(1, 4), ['0/1', 'Pending', '0']);
  t.same(
    row({
      ...base,
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'c', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } },
        ],
      },
    }).slice(1, 4),
    ['0/1', 'CrashLoopBackOff', '3 (30s ago)'],
  );
  t.same(
    row({ ...base, spec: { containers: [{ name: 'c' }], initContainers: [{ name: 'i' }] }, status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'PodInitializing' } } }] } }).slice(
      1,
      3,
    ),
    ['0/1', 'Init:0/1'],
  );
  t.same(
    row({ ...base, status: { phase: 'Running', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, signal: 9 } } }] } }).slice(2, 3),
    ['Signal:9'],
  );
  t.same(row({ ...base, metadata: { ...base.metadata, deletionTimestamp: ago(1) }, status: { phase: 'Running' } }).slice(2, 3), ['Terminating']);
  t.same(
    row({ ...base, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } }).slice(2, 3),
    ['SchedulingGated'],
  );
  const done = toTable({ kind: 'Pod', group: '', items: [{ ...base, status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } }], now: NOW }).rows![0]!;
  t.equal(done.cells[2], 'Completed');
  t.same(done.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  t.same(
    row({ ...base, spec: { containers: [{ name: 'c' }], readinessGates: [{ conditionType: 'x' }, { conditionType: 'y' }] }, status: { phase: 'Running', conditions: [{ type: 'x', status: 'True' }] } }).slice(8),
    ['1/2'],
  );
});

t.test('deployment table', async (t) => {
  const dep = {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(200) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } },
    },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  };
  const table = toTable({ kind: 'Deployment', group: 'apps', items: [dep], listMeta: { resourceVersion: '5', continue: 'abc', remainingItemCount: 7 }, now: NOW });
  t.same(table.metadata, { resourceVersion: '5', continue: 'abc', remainingItemCount: 7 });
  t.same(
    table.columnDefinitions!.map((c) => `${c.name}/${c.priority}`),
    ['Name/0', 'Ready/0', 'Up-to-date/0', 'Available/0', 'Age/0', 'Containers/1', 'Images/1', 'Selector/1'],
  );
  t.same(table.rows![0]!.cells, ['web', '2/3', 3, 2, '3m20s', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
});

t.test('namespace, service, configmap, secret, node, lease, event tables', async (t) => {
  const ns = toTable({ kind: 'Namespace', group: '', items: [{ metadata: { name: 'default', creationTimestamp: ago(3 * 86400) }, status: { phase: 'Active' } }], now: NOW });
  t.same(ns.columnDefinitions!.map((c) => c.name), ['Name', 'Status', 'Age']);
  t.same(ns.rows![0]!.cells, ['default', 'Active', '3d']);

  const svc = toTable({
    kind: 'Service',
    group: '',
    items: [
      {
        metadata: { name: 'web', creationTimestamp: ago(30) },
        spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web' } },
      },
    ],
    now: NOW,
  });
  t.same(svc.columnDefinitions!.map((c) => c.name), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
  t.same(svc.rows![0]!.cells, ['web', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '30s', 'app=web']);

  const cm = toTable({ kind: 'ConfigMap', group: '', items: [{ metadata: { name: 'c', creationTimestamp: ago(5) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }], now: NOW });
  t.same(cm.rows![0]!.cells, ['c', 3, '5s']);

  const secret = toTable({ kind: 'Secret', group: '', items: [{ metadata: { name: 's', creationTimestamp: ago(5) }, type: 'Opaque', data: { p: 'cQ==' } }], now: NOW });
  t.same(secret.columnDefinitions!.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  t.same(secret.rows![0]!.cells, ['s', 'Opaque', 1, '5s']);

  const node = toTable({
    kind: 'Node',
    group: '',
    items: [
      {
        metadata: { name: 'n1', creationTimestamp: ago(7200), labels: { 'node-role.kubernetes.io/control-plane': '' } },
        spec: { unschedulable: true },
        status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], nodeInfo: { kubeletVersion: 'v1.30.0' } },
      },
    ],
    now: NOW,
  });
  t.same(node.rows![0]!.cells, ['n1', 'Ready,SchedulingDisabled', 'control-plane', '120m', 'v1.30.0', '172.18.0.2', '<none>', '<unknown>', '<unknown>', '<unknown>']);

  const lease = toTable({ kind: 'Lease', group: 'coordination.k8s.io', items: [{ metadata: { name: 'l', creationTimestamp: ago(10) }, spec: { holderIdentity: 'apiserver-1' } }], now: NOW });
  t.same(lease.columnDefinitions!.map((c) => c.name), ['Name', 'Holder', 'Age']);
  t.same(lease.rows![0]!.cells, ['l', 'apiserver-1', '10s']);

  const event = {
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled',
    message: ' Pulled image \n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(120),
    lastTimestamp: ago(60),
    count: 2,
    type: 'Normal',
  };
  const ev = toTable({ kind: 'Event', group: '', items: [event], now: NOW });
  t.same(
    ev.columnDefinitions!.map((c) => `${c.name}/${c.priority}`),
    ['Last Seen/0', 'Type/0', 'Reason/0', 'Object/0', 'Subobject/1', 'Source/1', 'Message/0', 'First Seen/1', 'Count/1', 'Name/1'],
  );
  t.same(ev.rows![0]!.cells, ['60s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{nginx}', 'kubelet, node-1', 'Pulled image', '2m', 2, 'web.17a']);
  const newApi = toTable({
    kind: 'Event',
    group: 'events.k8s.io',
    items: [{ metadata: { name: 'e' }, regarding: { kind: 'Node', name: 'n1' }, note: 'hi', reportingController: 'ctrl', eventTime: ago(5), type: 'Normal', reason: 'R' }],
    now: NOW,
  });
  t.same(newApi.rows![0]!.cells, ['5s', 'Normal', 'R', 'node/n1', '', 'ctrl', 'hi', '5s', 1, 'e']);
});

t.test('job table differs by minor', async (t) => {
  const job = {
    metadata: { name: 'pi', creationTimestamp: ago(300) },
    spec: { completions: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'x' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
    status: { succeeded: 1, startTime: ago(300), completionTime: ago(253), conditions: [{ type: 'Complete', status: 'True' }] },
  };
  const newer = toTable({ kind: 'Job', group: 'batch', items: [job], now: NOW, printers: minorInfo('1.30').printers });
  t.same(newer.columnDefinitions!.map((c) => c.name), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
  t.same(newer.rows![0]!.cells, ['pi', 'Complete', '1/1', '47s', '5m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=x']);
  const older = toTable({ kind: 'Job', group: 'batch', items: [job], now: NOW, printers: minorInfo('1.29').printers });
  t.same(older.columnDefinitions!.map((c) => c.name), ['Name', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
  t.same(older.rows![0]!.cells, ['pi', '1/1', '47s', '5m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=x']);
  const running = toTable({ kind: 'Job', group: 'batch', items: [{ metadata: { name: 'j' }, spec: { parallelism: 3 }, status: { startTime: ago(10) } }], now: NOW });
  t.same(running.rows![0]!.cells.slice(0, 4), ['j', 'Running', '0/1 of 3', '10s']);
});

t.test('generic kinds use the default convertor', async (t) => {
  t.notOk(hasPrinter('ClusterRole', 'rbac.authorization.k8s.io'));
  t.ok(hasPrinter('PodList', ''));
  const table = toTable({
    kind: 'ClusterRole',
    group: 'rbac.authorization.k8s.io',
    items: [{ metadata: { name: 'admin', creationTimestamp: '2024-05-01T10:00:00Z' } }, { metadata: { name: 'x' } }],
    listMeta: { resourceVersion: '9' },
    now: NOW,
  });
  t.same(table.columnDefinitions!.map((c) => [c.name, c.type, c.format]), [
    ['Name', 'string', 'name'],
    ['Created At', 'date', ''],
  ]);
  t.match(table.columnDefinitions![1]!.description, /^CreationTimestamp is a timestamp/);
  t.same(table.rows!.map((r) => r.cells), [
    ['admin', '2024-05-01T10:00:00Z'],
    ['x', '0001-01-01T00:00:00Z'],
  ]);
  t.equal(toTable({ kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', items: [], now: NOW }).rows, null, 'an empty list encodes rows as null');
  t.same(toTable({ kind: 'Pod', group: '', items: [], now: NOW }).rows, [], 'printers answer an empty array');
});

t.test('includeObject variants', async (t) => {
  const rowObject = (includeObject: 'None' | 'Metadata' | 'Object' | undefined, apiVersion?: string) =>
    toTable({ kind: 'Pod', group: '', items: [pod], includeObject, now: NOW, ...(apiVersion ? { apiVersion } : {}) }).rows![0]!.object;
  t.same(rowObject(undefined), { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  t.same(rowObject('Metadata'), { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  t.same(rowObject('Metadata', 'meta.k8s.io/v1beta1'), { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1beta1', metadata: pod.metadata });
  t.equal(rowObject('Object'), pod);
  t.equal(rowObject('None'), null);
  const json = JSON.parse(JSON.stringify(toTable({ kind: 'Pod', group: '', items: [pod], includeObject: 'None', now: NOW })));
  t.same(Object.keys(json), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
  t.same(Object.keys(json.rows[0]), ['cells', 'object']);
  t.equal(toTable({ kind: 'Pod', group: '', items: [pod], noHeaders: true, now: NOW }).columnDefinitions, null);
});
