/**
 * The Scenario format: a Kubernetes-style document (`apiVersion: kube-skew.dev/v1alpha1`,
 * `kind: Scenario`) describing a cluster and the steps played against it. The published JSON Schema
 * is scenarios/schema.json; these types mirror it.
 */
import { SAMPLE_APISERVER_NAME } from '../../server/cluster/sample-apiserver.js';
import type { StepBodies } from './step-kinds.js';

/** One server of the scenario's cluster. */
export interface ScenarioServer {
  name: string;
  minor: string;
  featureGates?: string;
  runtimeConfig?: string;
  args?: string[];
  /** Start with the cluster (default true). */
  start?: boolean;
}

/** The cluster a scenario runs against. */
export interface ScenarioCluster {
  servers: ScenarioServer[];
  mvp?: boolean;
  /** Give servers with the proxy gate a `--peer-ca-file` (default true); false runs the gate without one. */
  peerCaFile?: boolean;
  lbPolicy?: string;
  featureGates?: string;
  runtimeConfig?: string;
  args?: string[];
  timeScale?: number;
  /**
   * Start kube-skew's sample aggregated API server (wardle.example.com) beside the servers, as
   * `up --with-sample-apiserver` does; server steps address it as {@link SAMPLE_APISERVER}.
   */
  sampleApiServer?: boolean;
  /** The store the servers share: `sqlite` (default) or `etcd` (a local etcd the run starts and stops). */
  store?: 'sqlite' | 'etcd';
}

/** The name by which start, stop, kill, pause and resume steps address the sample-apiserver (its name in `cluster.json`). */
export const SAMPLE_APISERVER = SAMPLE_APISERVER_NAME;

/** Expectations on a piece of text. */
export interface TextExpect {
  contains?: string | string[];
  notContains?: string | string[];
  matches?: string;
  equals?: string;
}

/** A request step (also used by `wait: {request}`). */
export interface RequestStep {
  via?: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  expect?: {
    status?: number | number[];
    reason?: string;
    message?: TextExpect;
    contentType?: string;
    body?: unknown;
    text?: TextExpect;
    headers?: Record<string, string>;
    servedBy?: string;
  };
  /** Variables set from the JSON answer once the expectations hold: name → dotted path. */
  capture?: Record<string, string>;
}

/** A kubectl step. */
export interface KubectlStep {
  via?: string;
  args: string[];
  stdin?: string;
  binary?: string;
  timeout?: string;
  expect?: { exitCode?: number; stdout?: TextExpect; stderr?: TextExpect };
}

/** Bounds on a count. */
export interface CountExpect {
  max?: number;
  min?: number;
}

/** Background load through the front door. */
export interface LoadStep {
  start?: { name: string; via?: string; rate: number; writeShare?: number; namespace?: string; resources: string[] };
  stop?: {
    name: string;
    expect?: { falseNotFound?: CountExpect; lostWrites?: CountExpect; requests?: CountExpect; status?: Record<string, { max?: number; min?: number }> };
  };
}

/** Waiting for a condition or a time. */
export interface WaitStep {
  duration?: string;
  timeout?: string;
  ready?: string;
  request?: RequestStep;
  leaseGone?: string;
  endpointGone?: string;
}

/** A link between two servers, for faults on the peer hop. */
export interface Link {
  from: string;
  to: string;
}

/** Faults on the peer hop. */
export interface FaultStep {
  partition?: Link;
  refuse?: Link;
  latency?: Link & { delay: string };
  heal?: Link;
}

/** A change of the cluster's time: its speed and/or a jump forward. */
export interface ClockStep {
  scale?: number;
  advance?: string;
}

/** Assertions on one server's /metrics. */
export interface MetricsStep {
  server: string;
  expect: Array<{ name: string; labels?: Record<string, string>; value?: number; min?: number; max?: number; present?: boolean }>;
}

/** A server change: restart, or upgrade/downgrade to another minor. */
export interface VersionChange {
  server: string;
  minor?: string;
  featureGates?: string;
  runtimeConfig?: string;
  args?: string[];
}

/** A step kind: the key of a step's action (the kinds and their bodies are the table in step-kinds.ts). */
export type StepKind = keyof StepBodies;

/** One step: a name and exactly one action, whose body's type its kind's entry gives. */
export type Step = { name?: string } & { [K in StepKind]?: StepBodies[K] };

/** A loaded scenario. */
export interface Scenario {
  apiVersion: 'kube-skew.dev/v1alpha1';
  kind: 'Scenario';
  metadata: { name: string; description?: string; labels?: Record<string, string> };
  spec: { cluster: ScenarioCluster; steps: Step[] };
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse a duration (`500ms`, `2s`, `1m`, `2h`) into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
}
