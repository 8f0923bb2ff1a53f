/**
 * Reading scenario files: YAML parsed with positions, validated against the published schema
 * (scenarios/schema.json, through ajv) and then against the cluster it describes (server names
 * exist, upgrades go up and downgrades down, loads are started before they are stopped). Every
 * problem is reported as `file:line:column: <field path>: <message>`, with the step index and
 * name, and never as a stack trace.
 */
import { readFileSync, statSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { SAMPLE_APISERVER, type Scenario, type Step } from './format.js';
import { SAMPLE_APISERVER_STEPS, STEPS, stepKind, stepSchema, type StepChecker, type StepKindSpec } from './step-kinds.js';
import { variablesUsed } from './vars.js';
import { MAX_NESTING_DEPTH, yamlNestingExceeds } from '../../server/http/nesting.js';
import { MAX_ALIAS_COUNT, selfReferencingAlias } from '../../server/http/yaml.js';
import { NEWEST_MINOR, SUPPORTED_MINORS } from '../../versions/manifest.js';

const schema = JSON.parse(readFileSync(new URL('../../../scenarios/schema.json', import.meta.url), 'utf8')) as { definitions: Record<string, unknown> };
// The published file names the minors for editors; the loader takes them from the manifests, so a
// minor the importer added is accepted at once (test/scenarios/loader.test.ts checks the file agrees).
schema.definitions['minor'] = {
  type: 'string',
  pattern: `^(${SUPPORTED_MINORS.map((m) => m.replace('.', '\\.')).join('|')})$`,
  description: `A supported Kubernetes minor, ${SUPPORTED_MINORS[0]} to ${NEWEST_MINOR} (quote it in YAML: "1.30").`,
};
// A step is a name and one of the kinds in step-kinds.ts, so a kind added there is accepted at once
// (test/scenarios/scenario-file.test.ts checks the published file lists the same kinds).
schema.definitions['step'] = stepSchema();
let compiled: ValidateFunction | undefined;

/** The schema's validator, compiled on first use (compiling costs about 100 ms). */
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  return compiled;
}

/** One problem in a scenario file. */
export interface ScenarioProblem {
  file: string;
  /** 1-based; 0 for a problem of the whole file (its size, its kind), shown without a position. */
  line: number;
  column: number;
  /** `spec.steps[3].request.method` */
  field: string;
  message: string;
}

/** A scenario file that cannot be used; its message lists every problem, one per line. */
export class ScenarioError extends Error {
  readonly code = 'SCENARIO_INVALID';
  constructor(readonly problems: ScenarioProblem[]) {
    super(problems.map((p) => `${p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

type PathItem = string | number;

function fieldPath(path: PathItem[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

class Locator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The position of the deepest existing node on `path` (a missing field points at its parent). */
  problem(path: PathItem[], message: string): ScenarioProblem {
    let node: unknown = this.doc.contents;
    let range: [number, number, number] | undefined = (node as { range?: [number, number, number] } | null)?.range;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        range = (pair.key as { range?: [number, number, number] }).range ?? range;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        if (!node) break;
        range = (node as { range?: [number, number, number] }).range ?? range;
      } else break;
    }
    const pos = this.lines.linePos(range?.[0] ?? 0);
    return { file: this.file, line: pos.line, column: pos.col, field: fieldPath(path), message: this.withStep(path, message) };
  }

  private withStep(path: PathItem[], message: string): string {
    if (path[0] !== 'spec' || path[1] !== 'steps' || typeof path[2] !== 'number') return message;
    const step = (this.doc.toJS() as { spec?: { steps?: Step[] } } | null)?.spec?.steps?.[path[2]];
    return `${message} (step ${path[2] + 1}${step?.name ? ` "${step.name}"` : ''})`;
  }
}

function pointerToPath(pointer: string): PathItem[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The keys of a `oneOf: [{required: [a]}, {required: [b]}, …]`, or undefined for another oneOf. */
function choiceKeys(schema: unknown): string[] | undefined {
  if (!Array.isArray(schema)) return undefined;
  const keys: string[] = [];
  for (const branch of schema) {
    const req = (branch as { required?: unknown }).required;
    if (!Array.isArray(req) || req.length !== 1 || Object.keys(branch as object).length !== 1) return undefined;
    keys.push(req[0] as string);
  }
  return keys;
}

/** An error inside one branch of a `oneOf` or `anyOf`: the `oneOf`/`anyOf` error itself says it better. */
function isOneOfBranch(e: ErrorObject): boolean {
  return /\/(oneOf|anyOf)\/\d+\/[^/]+$/.test(e.schemaPath);
}

/** Turn ajv's errors into problems, dropping the noise of oneOf/if branches we explain better ourselves. */
function schemaProblems(errors: ErrorObject[], at: Locator): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    let message: string;
    if (e.keyword === 'if') continue;
    // A `oneOf` of `required` alternatives means "exactly one of these keys"; its per-branch
    // `required` errors are noise.
    if (isOneOfBranch(e)) continue;
    switch (e.keyword) {
      case 'oneOf': {
        const keys = choiceKeys(e.schema);
        if (!keys) {
          const types = (e.schema as Array<{ type?: string; items?: { type?: string } }>).map((b) => (b.type === 'array' ? `a list of ${b.items?.type ?? 'value'}s` : `${b.type === 'integer' || b.type === 'object' ? 'an' : 'a'} ${b.type ?? 'value'}`));
          message = `must be ${types.join(' or ')}, not ${JSON.stringify(e.data)}`;
          break;
        }
        const present = keys.filter((k) => e.data !== null && typeof e.data === 'object' && k in (e.data as object));
        message = present.length === 0 ? `needs exactly one of: ${keys.join(', ')}` : `has exactly one of ${keys.join(', ')}; found ${present.join(' and ')}`;
        break;
      }
      case 'anyOf': {
        const keys = choiceKeys(e.schema);
        message = keys ? `needs one of: ${keys.join(', ')}` : (e.message ?? e.keyword);
        break;
      }
      case 'exclusiveMinimum':
        message = `must be greater than ${e.params.limit as number}, not ${JSON.stringify(e.data)}`;
        break;
      case 'minimum':
        message = `must be at least ${e.params.limit as number}, not ${JSON.stringify(e.data)}`;
        break;
      case 'maximum':
        message = `must be at most ${e.params.limit as number}, not ${JSON.stringify(e.data)}`;
        break;
      case 'additionalProperties':
        path.push(e.params.additionalProperty as string);
        message = `unknown field "${e.params.additionalProperty as string}"`;
        break;
      case 'required':
        path.push(e.params.missingProperty as string);
        message = 'required field is missing';
        break;
      case 'enum':
        message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'type': {
        const hint = (e.parentSchema as { description?: string } | undefined)?.description;
        message = `must be ${e.params.type === 'integer' || e.params.type === 'array' || e.params.type === 'object' ? 'an' : 'a'} ${e.params.type as string}, not ${JSON.stringify(e.data)}${hint ? ` (${hint})` : ''}`;
        break;
      }
      case 'const':
        message = `must be ${JSON.stringify(e.params.allowedValue)}`;
        break;
      case 'pattern':
        message = `invalid value ${JSON.stringify(e.data)}: ${(e.parentSchema as { description?: string } | undefined)?.description ?? `must match ${e.params.pattern as string}`}`;
        break;
      default:
        message = e.message ?? e.keyword;
    }
    const key = `${fieldPath(path)}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(at.problem(path, message));
  }
  return out;
}

/**
 * Checks the schema cannot express: variables captured before use, server names in `server` and
 * `via` (the sample-apiserver only in a cluster that starts it, and only for the kinds that may
 * address it), then each step kind's own checks (step-kinds.ts: version directions, loads, …).
 */
function semanticProblems(scenario: Scenario, at: Locator): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const servers = new Map<string, string>();
  const sample = scenario.spec.cluster.sampleApiServer === true;
  scenario.spec.cluster.servers.forEach((s, i) => {
    if (servers.has(s.name)) out.push(at.problem(['spec', 'cluster', 'servers', i, 'name'], `server name "${s.name}" is used twice`));
    if (sample && s.name === SAMPLE_APISERVER) out.push(at.problem(['spec', 'cluster', 'servers', i, 'name'], `server name "${s.name}" is the sample-apiserver's (spec.cluster.sampleApiServer is true)`));
    servers.set(s.name, s.minor);
  });
  const known = (name: string): boolean => servers.has(name);
  const loads = new Set<string>();
  const captured = new Set<string>();
  scenario.spec.steps.forEach((step, i) => {
    const base: PathItem[] = ['spec', 'steps', i];
    const kind = stepKind(step);
    const body = step[kind] as unknown as Record<string, unknown>;
    for (const name of new Set(variablesUsed(body))) {
      if (!captured.has(name)) out.push(at.problem([...base, kind], `uses \${${name}}, which no earlier step captures`));
    }
    const ref = (field: string | PathItem[], name: unknown, allowFrontDoor = false): void => {
      if (typeof name !== 'string') return;
      if (allowFrontDoor && name === 'front-door') return;
      if (!known(name)) out.push(at.problem([...base, kind, ...(Array.isArray(field) ? field : [field])], `no server named "${name}" (servers: ${[...servers.keys()].join(', ')}${allowFrontDoor ? ', front-door' : ''})`));
    };
    if ('server' in body) {
      if (body.server === SAMPLE_APISERVER && !known(SAMPLE_APISERVER)) {
        if (!sample) out.push(at.problem([...base, kind, 'server'], `no ${SAMPLE_APISERVER} in this cluster: set spec.cluster.sampleApiServer to true to start it`));
        else if (!(SAMPLE_APISERVER_STEPS as readonly string[]).includes(kind)) out.push(at.problem([...base, kind, 'server'], `the ${SAMPLE_APISERVER} can only be addressed by ${SAMPLE_APISERVER_STEPS.join(', ')} steps, not ${kind}`));
      } else ref('server', body.server);
    }
    if ('via' in body) ref('via', body.via, true);
    const checker: StepChecker = {
      problem: (path, message) => out.push(at.problem([...base, kind, ...path], message)),
      serverRef: (path, name, allowFrontDoor = false) => ref(path, name, allowFrontDoor),
      minors: servers,
      loads,
      captured,
    };
    (STEPS[kind] as StepKindSpec<unknown>).check?.(body, checker);
  });
  return out;
}

/** The largest scenario file read: the library's are a few KiB; a bigger one is a mistake or an attack. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/** Parse and validate scenario text; `file` names it in errors. Throws ScenarioError. */
export function parseScenario(text: string, file: string): Scenario {
  const whole = (message: string): ScenarioError => new ScenarioError([{ file, line: 1, column: 1, field: '', message }]);
  if (Buffer.byteLength(text) > MAX_SCENARIO_BYTES) throw whole(`the file has ${Buffer.byteLength(text)} bytes; a scenario file may have at most ${MAX_SCENARIO_BYTES}`);
  if (text.trim() === '') throw whole('the file is empty: a scenario needs apiVersion, kind, metadata and spec');
  // The YAML composer recurses: a document nested past the limit is refused before it runs.
  if (yamlNestingExceeds(text)) throw whole(`invalid YAML: collections nest deeper than ${MAX_NESTING_DEPTH} levels`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, field: '', message: `invalid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const alias = selfReferencingAlias(doc);
  if (alias) {
    const pos = lines.linePos(alias.range?.[0] ?? 0);
    throw new ScenarioError([{ file, line: pos.line, column: pos.col, field: '', message: `invalid YAML: alias *${alias.source} is inside the value anchored &${alias.source}, which would contain itself` }]);
  }
  const at = new Locator(file, doc, lines);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw whole(`invalid YAML: ${/alias count/i.test((err as Error).message) ? 'aliases expand too much (a "billion laughs" document)' : (err as Error).message.split('\n')[0]}`);
  }
  const validate = validator();
  if (!validate(value)) throw new ScenarioError(schemaProblems(validate.errors ?? [], at));
  const scenario = value as Scenario;
  const problems = semanticProblems(scenario, at);
  if (problems.length > 0) throw new ScenarioError(problems);
  return scenario;
}

/** Reads, parses and validates a scenario file; throws ScenarioError naming the file (and line) on any problem. */
export function readScenarioFile(path: string): Scenario {
  const cannot = (message: string): ScenarioError => new ScenarioError([{ file: path, line: 0, column: 0, field: '', message }]);
  let text: string;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw cannot('is a directory, not a scenario file');
    if (stat.size > MAX_SCENARIO_BYTES) throw cannot(`the file has ${stat.size} bytes; a scenario file may have at most ${MAX_SCENARIO_BYTES}`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    throw cannot(`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseScenario(text, path);
}
