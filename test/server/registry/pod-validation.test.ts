/**
 * Pod and pod-template validation against real server processes over HTTPS: per rule family the
 * 422 causes (field, reason, message) upstream's pkg/apis/core/validation gives, objects that must
 * pass (what `kubectl run` and `kubectl create deployment|job` send), the stored core/v1 defaults,
 * and the SidecarContainers difference between 1.28 (gate off) and 1.33.
 */
import t from 'tap';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../../fixtures/cluster.js';

interface Cause {
  reason: string;
  message: string;
  field: string;
}

const NS = 'default';
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
type Obj = Record<string, unknown>;

t.test('pod specs are validated as kube-apiserver does', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'old', minor: '1.28' },
    { name: 'new', minor: '1.33' },
  ]);
  const post = (server: string, path: string, body: unknown) => api(cluster, urlOf(cluster, server), 'POST', path, { body });
  const causesOf = (res: { text: string }): string[] => {
    const status = JSON.parse(res.text) as { details?: { causes?: Cause[] } };
    return (status.details?.causes ?? []).map((c) => `${c.field}: ${c.reason}: ${c.message}`);
  };
  let n = 0;
  /** POSTs a Pod with one container `app` (nginx:1.27) merged with `container`, and `spec` merged into its spec. */
  const pod = (spec: Obj, container: Obj = {}, server = 'new') => {
    n++;
    return post(server, `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${n}` },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', ...container }], ...spec },
    });
  };

  t.test('probes and lifecycle handlers', async (t) => {
    const res = await pod({}, {
      livenessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 }, successThreshold: 2, initialDelaySeconds: -1 },
      readinessProbe: { httpGet: { port: 70000, scheme: 'FTP', httpHeaders: [{ name: 'Bad Header', value: 'x' }] }, terminationGracePeriodSeconds: 5 },
      startupProbe: { tcpSocket: { port: 'Not_A_Name' } },
      lifecycle: { preStop: {}, postStart: { sleep: { seconds: 31 } } },
    });
    t.equal(res.status, 422);
    t.same(causesOf(res), [
      'spec.containers[0].lifecycle.postStart.sleep: FieldValueInvalid: Invalid value: 31: must be non-negative and less than terminationGracePeriodSeconds (30)',
      'spec.containers[0].lifecycle.preStop: FieldValueRequired: Required value: must specify a handler type',
      'spec.containers[0].livenessProbe.httpGet: FieldValueForbidden: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].livenessProbe.initialDelaySeconds: FieldValueInvalid: Invalid value: -1: must be greater than or equal to 0',
      'spec.containers[0].livenessProbe.successThreshold: FieldValueInvalid: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe.httpGet.port: FieldValueInvalid: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].readinessProbe.httpGet.scheme: FieldValueNotSupported: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
      "spec.containers[0].readinessProbe.httpGet.httpHeaders: FieldValueInvalid: Invalid value: \"Bad Header\": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
      'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: FieldValueInvalid: Invalid value: 5: must not be set for readinessProbes',
      'spec.containers[0].startupProbe.tcpSocket.port: FieldValueInvalid: Invalid value: "Not_A_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });

  t.test('env, valueFrom and envFrom', async (t) => {
    const env = [
      { name: 'A=B', value: 'x' },
      { name: 'X', valueFrom: {} },
      { name: 'Y', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'Z', valueFrom: { fieldRef: { fieldPath: 'metadata.foo' } } },
      { name: 'PHASE', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } },
      { name: 'LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['bad key']" } } },
      { name: 'SECRET', valueFrom: { secretKeyRef: { name: '' } } },
      { name: 'GPU', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } },
    ];
    const envFrom = [{}, { prefix: 'P_', configMapRef: { name: 'Cfg' } }];
    const res = await pod({}, { env, envFrom });
    t.equal(res.status, 422);
    t.same(causesOf(res), [
      "spec.containers[0].env[0].name: FieldValueInvalid: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
      'spec.containers[0].env[1].valueFrom: FieldValueInvalid: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      'spec.containers[0].env[2].valueFrom: FieldValueInvalid: Invalid value: "": may not be specified when `value` is not empty',
      'spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: FieldValueInvalid: Invalid value: "metadata.foo": error converting fieldPath: field label not supported: metadata.foo',
      'spec.containers[0].env[4].valueFrom.fieldRef.fieldPath: FieldValueNotSupported: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
      "spec.containers[0].env[5].valueFrom.fieldRef: FieldValueInvalid: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      `spec.containers[0].env[6].valueFrom.secretKeyRef.name: FieldValueInvalid: Invalid value: "": ${SUBDOMAIN_MSG}`,
      'spec.containers[0].env[6].valueFrom.secretKeyRef.key: FieldValueRequired: Required value',
      'spec.containers[0].env[7].valueFrom.resourceFieldRef.resource: FieldValueNotSupported: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
      'spec.containers[0].envFrom: FieldValueInvalid: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
      `spec.containers[0].envFrom[1].configMapRef.name: FieldValueInvalid: Invalid value: "Cfg": ${SUBDOMAIN_MSG}`,
    ]);
    const old = await pod({}, { env: [{ name: '1BAD', value: 'x' }, { name: '..', value: 'y' }] }, 'old');
    t.same(causesOf(old), [
      "spec.containers[0].env[0].name: FieldValueInvalid: Invalid value: \"1BAD\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      "spec.containers[0].env[1].name: FieldValueInvalid: Invalid value: \"..\": must not be '..'",
    ], '1.28 has the strict env-name rule');
    const relaxed = await pod({}, { env: [{ name: '1 OK', value: 'x' }] });
    t.equal(relaxed.status, 201, '1.33 relaxes env names');
    const ok = await pod({}, { env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } }], envFrom: [{ secretRef: { name: 's' } }] });
    t.equal(ok.status, 201, ok.text);
    t.same((JSON.parse(ok.text) as { spec: { containers: Array<{ env: Obj[] }> } }).spec.containers[0]!.env[0], { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }, 'fieldRef.apiVersion defaults to v1');
  });

  t.test('security contexts', async (t) => {
    const res = await pod(
      {
        securityContext: {
          runAsUser: -1,
          sysctls: [{ name: 'Bad_Name' }, { name: 'net.core.somaxconn' }, { name: 'net.core.somaxconn' }],
          seccompProfile: { type: 'Localhost' },
          appArmorProfile: { type: 'Bogus' },
        },
        hostNetwork: true,
      },
      {
        securityContext: {
          runAsGroup: 2147483648,
          privileged: true,
          allowPrivilegeEscalation: false,
          procMount: 'Unmasked',
          capabilities: { add: ['CAP_SYS_ADMIN'] },
          seccompProfile: { type: 'RuntimeDefault', localhostProfile: 'x.json' },
        },
      },
    );
    t.equal(res.status, 422);
    t.same(causesOf(res), [
      'spec.containers[0].securityContext.runAsGroup: FieldValueInvalid: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
      'spec.containers[0].securityContext.procMount: FieldValueInvalid: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`',
      'spec.containers[0].securityContext.seccompProfile.localhostProfile: FieldValueInvalid: Invalid value: {"type":"RuntimeDefault","localhostProfile":"x.json"}: can only be set when seccomp type is Localhost',
      'spec.containers[0].securityContext: FieldValueInvalid: Invalid value: {"runAsGroup":2147483648,"privileged":true,"allowPrivilegeEscalation":false,"procMount":"Unmasked","capabilities":{"add":["CAP_SYS_ADMIN"]},"seccompProfile":{"type":"RuntimeDefault","localhostProfile":"x.json"}}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      'spec.containers[0].securityContext: FieldValueInvalid: Invalid value: {"runAsGroup":2147483648,"privileged":true,"allowPrivilegeEscalation":false,"procMount":"Unmasked","capabilities":{"add":["CAP_SYS_ADMIN"]},"seccompProfile":{"type":"RuntimeDefault","localhostProfile":"x.json"}}: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
      'spec.securityContext.runAsUser: FieldValueInvalid: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.sysctls[0].name: FieldValueInvalid: Invalid value: "Bad_Name": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$',
      'spec.securityContext.sysctls[1].name: FieldValueInvalid: Invalid value: "net.core.somaxconn": may not be specified when \'hostNetwork\' is true',
      'spec.securityContext.sysctls[2].name: FieldValueDuplicate: Duplicate value: "net.core.somaxconn"',
      'spec.securityContext.sysctls[2].name: FieldValueInvalid: Invalid value: "net.core.somaxconn": may not be specified when \'hostNetwork\' is true',
      'spec.securityContext.seccompProfile.localhostProfile: FieldValueRequired: Required value: must be set when seccomp type is Localhost',
      'spec.securityContext.appArmorProfile.type: FieldValueNotSupported: Unsupported value: "Bogus": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
    ]);
  });

  t.test('affinity, tolerations and topology spread', async (t) => {
    const res = await pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Near', values: ['a'] }, { key: 'disk', operator: 'In' }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }],
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] }, topologyKey: '' }],
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }],
        },
      },
      tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v', effect: 'NoSchedule', tolerationSeconds: 5 }, { key: 'k', operator: 'Like', effect: 'Sometimes' }],
      topologySpreadConstraints: [
        { maxSkew: 0, topologyKey: '', whenUnsatisfiable: 'Maybe', labelSelector: { matchLabels: { app: 'web' } } },
        { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 },
      ],
    });
    t.equal(res.status, 422);
    t.same(causesOf(res), [
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: FieldValueInvalid: Invalid value: "Near": not a valid selector operator',
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: FieldValueRequired: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: FieldValueInvalid: Invalid value: 0: must be in the range 1-100',
      "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].values: FieldValueForbidden: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: FieldValueRequired: Required value: can not be empty',
      'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: FieldValueInvalid: Invalid value: "": name part must be non-empty',
      "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: FieldValueInvalid: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: FieldValueInvalid: Invalid value: 101: must be in the range 1-100',
      'spec.topologySpreadConstraints[0].maxSkew: FieldValueInvalid: Invalid value: 0: must be greater than zero',
      'spec.topologySpreadConstraints[0].topologyKey: FieldValueRequired: Required value: can not be empty',
      'spec.topologySpreadConstraints[0].whenUnsatisfiable: FieldValueNotSupported: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
      'spec.topologySpreadConstraints[1].minDomains: FieldValueInvalid: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway',
      'spec.tolerations[0].operator: FieldValueInvalid: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      "spec.tolerations[1].effect: FieldValueInvalid: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
      "spec.tolerations[1].operator: FieldValueInvalid: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
      'spec.tolerations[2].operator: FieldValueNotSupported: Unsupported value: "Like": supported values: "Equal", "Exists"',
      'spec.tolerations[2].effect: FieldValueNotSupported: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  t.test('resource names, quantities (printed canonical) and hugepages', async (t) => {
    const res = await pod({}, {
      resources: {
        limits: { foo: '1', 'hugepages-2Mi': '3Mi', memory: '1Gi', cpu: '250m' },
        requests: { 'example.com/gpu': '1', 'hugepages-2Mi': '3Mi', 'ephemeral-storage': '-1', memory: '2048Mi', cpu: '0.5' },
      },
    });
    t.equal(res.status, 422);
    t.same(causesOf(res), [
      'spec.containers[0].resources.limits[foo]: FieldValueInvalid: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[foo]: FieldValueInvalid: Invalid value: "foo": must be a standard resource for containers',
      'spec.containers[0].resources.limits[hugepages-2Mi]: FieldValueInvalid: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
      'spec.containers[0].resources.limits: FieldValueRequired: Required value: Limit must be set for non overcommitable resources',
      'spec.containers[0].resources.requests[hugepages-2Mi]: FieldValueInvalid: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
      'spec.containers[0].resources.requests[ephemeral-storage]: FieldValueInvalid: Invalid value: "-1": must be greater than or equal to 0',
      // Quantities print in canonical form: 2048Mi is 2Gi, 0.5 is 500m.
      'spec.containers[0].resources.requests: FieldValueInvalid: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
      'spec.containers[0].resources.requests: FieldValueInvalid: Invalid value: "500m": must be less than or equal to cpu limit of 250m',
    ]);
    const hugeOnly = await pod({}, { resources: { limits: { 'hugepages-1Gi': '2Gi' }, requests: { 'hugepages-1Gi': '2Gi' } } });
    t.same(causesOf(hugeOnly), ['spec.containers[0].resources: FieldValueForbidden: Forbidden: HugePages require cpu or memory']);
  });

  t.test('dnsConfig, OS rules and the remaining pod fields', async (t) => {
    const dns = await pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9', 'nope'], searches: ['Bad_Domain.'], options: [{ value: '2' }] } });
    t.equal(dns.status, 422);
    t.same(causesOf(dns), [
      'spec.dnsConfig.nameservers: FieldValueInvalid: Invalid value: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9", "nope"}: must not have more than 3 nameservers',
      'spec.dnsConfig.nameservers[3]: FieldValueInvalid: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      // 1.33 has RelaxedDNSSearchValidation (beta, on): '_' is allowed, upper case is not.
      "spec.dnsConfig.searches[0]: FieldValueInvalid: Invalid value: \"Bad_Domain\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*')",
      'spec.dnsConfig.options[0]: FieldValueRequired: Required value: must not be empty',
    ]);
    const strict = await pod({ dnsConfig: { searches: ['_srv.example.com', '.'] } }, {}, 'old');
    t.same(causesOf(strict), [
      "spec.dnsConfig.searches[0]: FieldValueInvalid: Invalid value: \"_srv.example.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      "spec.dnsConfig.searches[1]: FieldValueInvalid: Invalid value: \"\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ], '1.28 has no relaxed search rule');
    const relaxed = await pod({ dnsConfig: { searches: ['_srv.example.com', '.'] } });
    t.equal(relaxed.status, 201, relaxed.text);
    const noDns = await pod({ dnsPolicy: 'None' });
    t.same(causesOf(noDns), ['spec.dnsConfig: FieldValueRequired: Required value: must provide `dnsConfig` when `dnsPolicy` is None']);

    const windows = await pod({ os: { name: 'windows' }, hostPID: true, securityContext: { runAsUser: 1000 } }, { securityContext: { privileged: true } });
    t.same(causesOf(windows), [
      'spec.hostPID: FieldValueForbidden: Forbidden: cannot be set for a windows pod',
      'spec.securityContext.runAsUser: FieldValueForbidden: Forbidden: cannot be set for a windows pod',
      'spec.containers[0].securityContext.privileged: FieldValueForbidden: Forbidden: cannot be set for a windows pod',
    ]);
    const linux = await pod({ os: { name: 'linux' } }, { securityContext: { windowsOptions: { runAsUserName: 'me' } } });
    t.same(causesOf(linux), ['spec.containers[0].securityContext.windowsOptions: FieldValueForbidden: Forbidden: windows options cannot be set for a linux pod']);
    const os = await pod({ os: { name: 'plan9' } });
    t.same(causesOf(os), ['spec.os: FieldValueNotSupported: Unsupported value: "plan9": supported values: "linux", "windows"']);

    const misc = await pod(
      { activeDeadlineSeconds: 0, hostname: 'Web_1', subdomain: 'a.b', terminationGracePeriodSeconds: null, priorityClassName: 'High' },
      { imagePullPolicy: 'Sometimes', terminationMessagePolicy: 'Stdout', image: ' nginx' },
    );
    t.equal(misc.status, 422);
    t.same(causesOf(misc), [
      'spec.containers[0].terminationMessagePolicy: FieldValueNotSupported: Unsupported value: "Stdout": supported values: "File", "FallbackToLogsOnError"',
      'spec.containers[0].imagePullPolicy: FieldValueNotSupported: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      'spec.activeDeadlineSeconds: FieldValueInvalid: Invalid value: 0: must be between 1 and 2147483647, inclusive',
      "spec.hostname: FieldValueInvalid: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.subdomain: FieldValueInvalid: Invalid value: "a.b": must not contain dots',
      "spec.priorityClassName: FieldValueInvalid: Invalid value: \"High\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'spec.containers[0].image: FieldValueInvalid: Invalid value: " nginx": must not have leading or trailing whitespace',
    ]);
  });

  t.test('gated fields by minor: sidecar init containers, procMount, appArmorProfile, sleep hooks', async (t) => {
    const spec = (policy: string) => ({
      initContainers: [
        { name: 'sidecar', image: 'busybox', restartPolicy: policy, readinessProbe: { exec: { command: ['true'] } } },
        { name: 'setup', image: 'busybox', livenessProbe: { exec: { command: ['true'] } } },
      ],
    });
    const bad = await pod(spec('OnFailure'), { restartPolicy: 'Always' });
    t.equal(bad.status, 422);
    t.same(causesOf(bad), [
      'spec.containers[0].restartPolicy: FieldValueForbidden: Forbidden: may not be set for non-init containers',
      'spec.initContainers[0].restartPolicy: FieldValueNotSupported: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.initContainers[0].readinessProbe: FieldValueForbidden: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[1].livenessProbe: FieldValueForbidden: Forbidden: may not be set for init containers without restartPolicy=Always',
    ]);
    const sidecar = await pod({ initContainers: [{ name: 'sidecar', image: 'busybox', restartPolicy: 'Always', readinessProbe: { exec: { command: ['true'] } } }] });
    t.equal(sidecar.status, 201, sidecar.text);
    const stored = JSON.parse(sidecar.text) as { spec: { initContainers: Obj[] } };
    t.equal(stored.spec.initContainers[0]!['restartPolicy'], 'Always', '1.33 keeps the sidecar');
    t.match(stored.spec.initContainers[0]!['readinessProbe'], { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 }, 'probe defaults are stored');

    // 1.28: the SidecarContainers gate is alpha (off); the field is dropped before validation.
    const dropped = await pod({ initContainers: [{ name: 'sidecar', image: 'busybox', restartPolicy: 'Always' }] }, {}, 'old');
    t.equal(dropped.status, 201, dropped.text);
    t.equal((JSON.parse(dropped.text) as { spec: { initContainers: Obj[] } }).spec.initContainers[0]!['restartPolicy'], undefined, '1.28 drops it');
    // ProcMountType is off before 1.33: procMount is dropped too, so Unmasked is not refused.
    const procMount = await pod({}, { securityContext: { procMount: 'Unmasked' } }, 'old');
    t.equal(procMount.status, 201, procMount.text);
    t.same((JSON.parse(procMount.text) as { spec: { containers: Obj[] } }).spec.containers[0]!['securityContext'], {}, '1.28 drops procMount');
    // AppArmorFields (1.30+; its gate is gone from 1.33, the feature stays on) and PodLifecycleSleepAction (1.30+).
    const appArmor = await pod({ securityContext: { appArmorProfile: { type: 'Bogus' } } }, {}, 'old');
    t.equal(appArmor.status, 201, '1.28 drops appArmorProfile');
    const sleep = await pod({}, { lifecycle: { preStop: { sleep: { seconds: 5 } } } }, 'old');
    t.same(causesOf(sleep), ['spec.containers[0].lifecycle.preStop: FieldValueRequired: Required value: must specify a handler type'], '1.28 drops the sleep handler');
    const sleepNew = await pod({}, { lifecycle: { preStop: { sleep: { seconds: 5 } } } });
    t.equal(sleepNew.status, 201, sleepNew.text);
  });

  t.test('valid pods pass', async (t) => {
    const full = await pod(
      {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }] },
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] } },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }] },
        },
        tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { operator: 'Exists' }],
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2, labelSelector: { matchLabels: { app: 'web' } } }],
        dnsConfig: { nameservers: ['10.0.0.10'], searches: ['svc.cluster.local.'], options: [{ name: 'ndots', value: '2' }] },
        os: { name: 'linux' },
        hostname: 'web-0',
        subdomain: 'web',
        activeDeadlineSeconds: 600,
      },
      {
        ports: [{ name: 'http', containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '64Mi', 'hugepages-2Mi': '4Mi', 'example.com/gpu': '1' }, limits: { cpu: '1', memory: '128Mi', 'hugepages-2Mi': '4Mi', 'example.com/gpu': '1' } },
        livenessProbe: { httpGet: { port: 'http' } },
        readinessProbe: { grpc: { port: 9090 } },
        startupProbe: { tcpSocket: { port: 8080 }, failureThreshold: 30 },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      },
    );
    t.equal(full.status, 201, full.text);
    const stored = JSON.parse(full.text) as { spec: { containers: Obj[] } };
    t.match(stored.spec.containers[0]!['livenessProbe'], { httpGet: { path: '/', scheme: 'HTTP', port: 'http' }, periodSeconds: 10 }, 'httpGet defaults are stored');

    const binary = kubectlBinary('1.32');
    if (!binary) return;
    const run = await kubectl(t, binary, cluster, ['run', 'kubectl-run', '-n', NS, '--image=nginx:1.27', '--port=80'], { context: 'skew-new' });
    t.equal(run.code, 0, `kubectl run: ${run.stderr}`);
  });
});

t.test('workload pod templates are validated at their own paths', async (t) => {
  const cluster = await startCluster(t, [{ name: 'new', minor: '1.33' }]);
  const post = (path: string, body: unknown) => api(cluster, urlOf(cluster, 'new'), 'POST', path, { body });
  const causesOf = (res: { text: string }): string[] => {
    const status = JSON.parse(res.text) as { details?: { causes?: Cause[] } };
    return (status.details?.causes ?? []).map((c) => `${c.field}: ${c.reason}: ${c.message}`);
  };
  const deployment = (name: string, spec: Obj, labels: Obj = { app: name }) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec } },
  });

  const bad = await post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment('bad', {
    restartPolicy: 'Never',
    activeDeadlineSeconds: 10,
    containers: [{ name: 'app', image: '', livenessProbe: {} }],
  }, { app: 'other' }));
  t.equal(bad.status, 422);
  t.same(causesOf(bad), [
    'spec.template.metadata.labels: FieldValueInvalid: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    'spec.template.spec.containers[0].image: FieldValueRequired: Required value',
    'spec.template.spec.containers[0].livenessProbe: FieldValueRequired: Required value: must specify a handler type',
    'spec.template.spec.restartPolicy: FieldValueNotSupported: Unsupported value: "Never": supported values: "Always"',
    'spec.template.spec.activeDeadlineSeconds: FieldValueForbidden: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
  ]);
  t.match(JSON.parse(bad.text), { kind: 'Status', code: 422, reason: 'Invalid', message: /^Deployment.apps "bad" is invalid: / });

  const rs = await post(`/apis/apps/v1/namespaces/${NS}/replicasets`, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs' },
    spec: { selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'app', image: 'nginx', resources: { limits: { foo: '1' } } }] } } },
  });
  t.same(causesOf(rs), [
    'spec.template.spec.containers[0].resources.limits[foo]: FieldValueInvalid: Invalid value: "foo": must be a standard resource type or fully qualified',
    'spec.template.spec.containers[0].resources.limits[foo]: FieldValueInvalid: Invalid value: "foo": must be a standard resource for containers',
  ]);

  const job = await post(`/apis/batch/v1/namespaces/${NS}/jobs`, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
  t.same(causesOf(job), ['spec.template.spec.restartPolicy: FieldValueNotSupported: Unsupported value: "Always": supported values: "OnFailure", "Never"'], 'a Job template defaults to Always, which a Job refuses');
  const cron = await post(`/apis/batch/v1/namespaces/${NS}/cronjobs`, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cron' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 0 }] }] } } } } },
  });
  t.same(causesOf(cron), ['spec.jobTemplate.spec.template.spec.containers[0].ports[0].containerPort: FieldValueRequired: Required value']);

  const rc = await post(`/api/v1/namespaces/${NS}/replicationcontrollers`, {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'rc' },
    spec: { selector: { app: 'x' }, template: { metadata: { labels: { app: 'y' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  t.same(causesOf(rc), [
    'spec.template.metadata.labels: FieldValueInvalid: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    'spec.template.spec.restartPolicy: FieldValueNotSupported: Unsupported value: "OnFailure": supported values: "Always"',
  ]);
  const podTemplate = await post(`/api/v1/namespaces/${NS}/podtemplates`, { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt' }, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } } });
  t.same(causesOf(podTemplate), ['template.spec.containers[0].image: FieldValueRequired: Required value'], 'a PodTemplate allows any restartPolicy');

  const good = await post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment('good', { containers: [{ name: 'app', image: 'nginx:1.27', readinessProbe: { httpGet: { port: 80 } } }] }));
  t.equal(good.status, 201, good.text);
  t.match(JSON.parse(good.text), {
    spec: { template: { spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, containers: [{ imagePullPolicy: 'IfNotPresent', readinessProbe: { periodSeconds: 10 } }] } } },
  }, 'the template gets the core/v1 defaults');

  const binary = kubectlBinary('1.32');
  t.test('what kubectl create sends is accepted', { skip: binary ? false : 'kubectl 1.32 is not installed on this machine' }, async (t) => {
    for (const args of [
      ['create', 'deployment', 'kc-deploy', '--image=nginx:1.27', '--replicas=2', '--port=80'],
      ['create', 'job', 'kc-job', '--image=busybox', '--', 'true'],
      ['create', 'cronjob', 'kc-cron', '--image=busybox', '--schedule=*/5 * * * *', '--', 'true'],
    ]) {
      const res = await kubectl(t, binary!, cluster, [...args, '-n', NS], { context: 'skew-new' });
      t.equal(res.code, 0, `kubectl ${args.slice(0, 2).join(' ')}: ${res.stderr}`);
    }
    const res = await kubectl(t, binary!, cluster, ['create', 'deployment', 'kc-bad', '--image=', '-n', NS], { context: 'skew-new' });
    t.not(res.code, 0);
  });
});
