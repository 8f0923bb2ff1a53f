/**
 * The scenario loader names the file, line, column, field and step of every problem, refuses
 * unknown fields and step kinds, and never throws anything but a ScenarioError; the CLI prints the
 * same messages without a stack trace.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseScenario, ScenarioError } from '../../scenarios/engine/scenario-file.js';
import { CLI } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';
import { readFileSync } from 'node:fs';
import { NEWEST_MINOR, SUPPORTED_MINORS } from '../../versions/manifest.js';
import { STEP_KINDS, STEPS, stepSchema } from '../../scenarios/engine/step-kinds.js';

const HEAD = `apiVersion: kube-skew.dev/v1alpha1
kind: Scenario
metadata:
  name: demo
spec:
  cluster:
    servers:
      - {name: a, minor: "1.35"}
      - {name: b, minor: "1.36"}
  steps:
`;

function problems(text: string): string[] {
  try {
    parseScenario(text, 'demo.yaml');
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n');
  }
  return [];
}

const CASES: Array<{ name: string; steps: string; expect: string[] }> = [
  { name: 'a valid file has no problems', steps: '    - request: {via: a, path: /version, expect: {status: 200}}\n', expect: [] },
  {
    name: 'an unknown field is an error',
    steps: '    - request:\n        path: /version\n        methd: GET\n',
    expect: ['demo.yaml:13:9: spec.steps[0].request.methd: unknown field "methd" (step 1)'],
  },
  {
    name: 'an unknown step kind is an error',
    steps: '    - name: reboot\n      reboot: {server: a}\n',
    expect: [
      'demo.yaml:11:7: spec.steps[0]: needs exactly one of: start, stop, kill, pause, resume, restart, upgrade, downgrade, request, kubectl, load, wait, fault, clock, metrics (step 1 "reboot")',
      'demo.yaml:12:7: spec.steps[0].reboot: unknown field "reboot" (step 1 "reboot")',
    ],
  },
  {
    name: 'two actions in one step',
    steps: '    - stop: {server: a}\n      kill: {server: a}\n',
    expect: ['demo.yaml:11:7: spec.steps[0]: has exactly one of start, stop, kill, pause, resume, restart, upgrade, downgrade, request, kubectl, load, wait, fault, clock, metrics; found stop and kill (step 1)'],
  },
  {
    name: 'a wrong type names the field and the value',
    steps: '    - request: {path: /version, expect: {status: "200"}}\n',
    expect: ['demo.yaml:11:42: spec.steps[0].request.expect.status: must be an integer or a list of integers, not "200" (step 1)'],
  },
  {
    name: 'a server that does not exist',
    steps: '    - kill: {server: c}\n',
    expect: ['demo.yaml:11:14: spec.steps[0].kill.server: no server named "c" (servers: a, b) (step 1)'],
  },
  {
    name: 'an upgrade must go to a newer minor',
    steps: '    - upgrade: {server: b, minor: "1.35"}\n',
    expect: ['demo.yaml:11:28: spec.steps[0].upgrade.minor: an upgrade goes to a newer minor: b runs 1.36 at this point (step 1)'],
  },
  {
    name: 'an unsupported minor',
    steps: '    - upgrade: {server: a, minor: "1.40"}\n',
    expect: ['demo.yaml:11:28: spec.steps[0].upgrade.minor: invalid value "1.40": A supported Kubernetes minor, 1.25 to 1.37 (quote it in YAML: "1.30"). (step 1)'],
  },
  {
    name: 'stopping a load that was never started',
    steps: '    - load: {stop: {name: traffic}}\n',
    expect: ['demo.yaml:11:21: spec.steps[0].load.stop.name: no running load named "traffic" (step 1)'],
  },
  {
    name: 'a missing required field',
    steps: '    - request: {via: a}\n',
    expect: ['demo.yaml:11:7: spec.steps[0].request.path: required field is missing (step 1)'],
  },
  {
    name: 'a captured variable used by a later step',
    steps: '    - request: {via: a, path: /api/v1/namespaces/default, capture: {nsUID: metadata.uid}}\n    - request: {via: a, path: "/api/v1/namespaces/default?uid=${nsUID}"}\n',
    expect: [],
  },
  {
    name: 'a variable no earlier step captures',
    steps: '    - request: {via: a, path: "/api/v1/namespaces/${nsUID}"}\n    - request: {via: a, path: /version, capture: {nsUID: metadata.uid}}\n',
    expect: ['demo.yaml:11:7: spec.steps[0].request: uses ${nsUID}, which no earlier step captures (step 1)'],
  },
  {
    name: 'a capture path must be dotted field names',
    steps: '    - request: {via: a, path: /version, capture: {v: "$.gitVersion"}}\n',
    expect: ['demo.yaml:11:51: spec.steps[0].request.capture.v: invalid value "$.gitVersion": a dotted path into the JSON answer, e.g. metadata.uid (step 1)'],
  },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    t.same(problems(HEAD + c.steps), c.expect);
  });
}

t.test('the sample-apiserver: addressed by name in a cluster that starts it, by server steps only', async (t) => {
  const withSample = HEAD.replace('  cluster:\n', '  cluster:\n    sampleApiServer: true\n');
  t.same(problems(`${withSample}    - kill: {server: sample-apiserver}\n    - start: {server: sample-apiserver}\n    - pause: {server: sample-apiserver}\n    - resume: {server: sample-apiserver}\n    - stop: {server: sample-apiserver}\n`), [], 'start, stop, kill, pause and resume');
  t.same(problems(`${HEAD}    - kill: {server: sample-apiserver}\n`), ['demo.yaml:11:14: spec.steps[0].kill.server: no sample-apiserver in this cluster: set spec.cluster.sampleApiServer to true to start it (step 1)']);
  t.same(problems(`${withSample}    - restart: {server: sample-apiserver}\n`), ['demo.yaml:12:17: spec.steps[0].restart.server: the sample-apiserver can only be addressed by start, stop, kill, pause, resume steps, not restart (step 1)']);
  t.same(problems(`${withSample}    - request: {via: sample-apiserver, path: /version}\n`), ['demo.yaml:12:17: spec.steps[0].request.via: no server named "sample-apiserver" (servers: a, b, front-door) (step 1)'], 'requests go through the servers, as clients reach it');
  t.same(
    problems(withSample.replace('{name: b, minor: "1.36"}', '{name: sample-apiserver, minor: "1.36"}') + '    - kill: {server: a}\n'),
    ['demo.yaml:10:10: spec.cluster.servers[1].name: server name "sample-apiserver" is the sample-apiserver\'s (spec.cluster.sampleApiServer is true)'],
  );
  t.same(problems(withSample.replace('sampleApiServer: true', 'sampleApiServer: yes please') + '    - kill: {server: a}\n'), ['demo.yaml:7:5: spec.cluster.sampleApiServer: must be a boolean, not "yes please" (Start the sample aggregated API server beside the servers (default false); server steps name it sample-apiserver.)']);
});

t.test('the published schema names exactly the supported minors (update scenarios/schema.json when a minor is added)', async (t) => {
  const published = JSON.parse(readFileSync(new URL('../../../scenarios/schema.json', import.meta.url), 'utf8')) as { definitions: { minor: { pattern: string; description: string } } };
  const pattern = new RegExp(published.definitions.minor.pattern);
  const candidates = Array.from({ length: 100 }, (_, i) => `1.${i}`);
  t.same(candidates.filter((m) => pattern.test(m)), SUPPORTED_MINORS);
  t.match(published.definitions.minor.description, `${SUPPORTED_MINORS[0]} to ${NEWEST_MINOR}`);
});

t.test('the published schema lists exactly the step kinds of the table (update scenarios/schema.json when a kind is added)', async (t) => {
  const published = JSON.parse(readFileSync(new URL('../../../scenarios/schema.json', import.meta.url), 'utf8')) as { definitions: Record<string, unknown> };
  t.same(published.definitions['step'], stepSchema(), 'the step definition is the one the loader builds from step-kinds.ts');
  for (const kind of STEP_KINDS) t.ok(published.definitions[STEPS[kind].schema], `${kind}: its body's definition ${STEPS[kind].schema} exists`);
});

t.test('invalid YAML gives its position', async (t) => {
  const out = problems(`${HEAD}    - request: {path: /version\n`);
  t.equal(out.length, 1);
  t.match(out[0], /^demo\.yaml:\d+:\d+: invalid YAML: /);
});

t.test('the wrong kind or apiVersion', async (t) => {
  const out = problems(HEAD.replace('kind: Scenario', 'kind: Scenery').replace('v1alpha1', 'v1') + '    - kill: {server: a}\n');
  t.same(out, ['demo.yaml:1:1: apiVersion: must be "kube-skew.dev/v1alpha1"', 'demo.yaml:2:1: kind: must be "Scenario"']);
});

t.test('garbage never escapes as anything but a ScenarioError', async (t) => {
  for (const text of ['', '42', '[]', 'null', '{{{', 'apiVersion: [', '- - -', '\u0000\u0001']) {
    t.throws(() => parseScenario(text, 'x.yaml'), ScenarioError, JSON.stringify(text));
  }
});

t.test('the CLI reports file, line and field without a stack trace', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'bad.yaml');
  await writeFile(file, `${HEAD}    - kill: {server: zz}\n`);
  const child = spawn(process.execPath, [CLI, 'scenario', 'validate', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = await once(child, 'exit');
  t.equal(code, 1);
  t.equal(err, `${file}:11:14: spec.steps[0].kill.server: no server named "zz" (servers: a, b) (step 1)\n`);
});

t.test('scenario run of a missing file names it', async (t) => {
  const child = spawn(process.execPath, [CLI, 'scenario', 'run', '/nonexistent/x.yaml'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = await once(child, 'exit');
  t.equal(code, 1);
  t.match(err, /no scenario file or library scenario named "\/nonexistent\/x\.yaml"/);
  t.notMatch(err, /\n\s+at /);
});

t.test('hostile files: the CLI names the file and line, exits 1, never prints a stack trace', async (t) => {
  const dir = await tempDir(t);
  const laughs = ['x0: &a0 [lol]', ...Array.from({ length: 9 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n');
  const files: Array<{ name: string; content: string | Buffer; expect: RegExp }> = [
    { name: 'empty.yaml', content: '', expect: /empty\.yaml:1:1: the file is empty/ },
    { name: 'garbage.yaml', content: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)), expect: /garbage\.yaml:\d+:\d+: / },
    { name: 'syntax.yaml', content: `${HEAD}    - request: {path: /version\n`, expect: /syntax\.yaml:\d+:\d+: invalid YAML: / },
    { name: 'types.yaml', content: `${HEAD.replace('name: demo', 'name: 5')}    - request: {path: 5, via: [a], expect: {status: "x"}}\n`, expect: /types\.yaml:4:3: metadata\.name: must be a string, not 5\n.*types\.yaml:\d+:\d+: spec\.steps\[0\]\.request\.via: must be a string/s },
    { name: 'unknown.yaml', content: `${HEAD}    - reboot: {server: a}\n      extra: 1\n`, expect: /unknown\.yaml:11:7: spec\.steps\[0\]\.reboot: unknown field "reboot"/ },
    { name: 'duplicate.yaml', content: HEAD.replace('kind: Scenario', 'kind: Scenario\nkind: Scenario') + '    - kill: {server: a}\n', expect: /duplicate\.yaml:3:1: invalid YAML: Map keys must be unique/ },
    { name: 'bomb.yaml', content: `${HEAD}    - kill: {server: a}\n${laughs}\n`, expect: /bomb\.yaml:1:1: invalid YAML: aliases expand too much/ },
    { name: 'self.yaml', content: HEAD.replace('metadata:\n  name: demo', 'metadata: &m\n  name: demo\n  labels: *m') + '    - kill: {server: a}\n', expect: /self\.yaml:5:11: invalid YAML: alias \*m is inside the value anchored &m/ },
    { name: 'multi.yaml', content: `${HEAD}    - kill: {server: a}\n---\n${HEAD}`, expect: /multi\.yaml:\d+:\d+: invalid YAML: Source contains multiple documents/ },
    { name: 'deep.yaml', content: `${HEAD}    - kill: {server: a}\nx: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, expect: /deep\.yaml:1:1: invalid YAML: collections nest deeper than 500 levels/ },
    { name: 'huge.yaml', content: HEAD + '    - kill: {server: a}\n'.repeat(60_000), expect: /huge\.yaml: the file has \d+ bytes; a scenario file may have at most 1048576/ },
  ];
  for (const f of files) await writeFile(join(dir, f.name), f.content);
  await mkdir(join(dir, 'a-directory.yaml'));
  const cases = [...files.map((f) => ({ arg: join(dir, f.name), expect: f.expect })), { arg: join(dir, 'a-directory.yaml'), expect: /a-directory\.yaml: is a directory, not a scenario file/ }];
  for (const c of cases) {
    const child = spawn(process.execPath, [CLI, 'scenario', 'run', c.arg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = await once(child, 'exit');
    t.equal(code, 1, `${c.arg}: exits 1`);
    t.match(err, c.expect, `${c.arg}: ${err.split('\n')[0]}`);
    t.notMatch(err, /\n\s+at /, `${c.arg}: no stack trace`);
  }
});
