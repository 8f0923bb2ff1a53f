/**
 * Health checks behind `/healthz`, `/livez` and `/readyz`, with kube-apiserver's output: `ok`, or
 * with `?verbose` one `[+]name ok` / `[-]name failed: reason withheld` line per check and a closing
 * `<endpoint> check passed|failed`. Post-start hooks register a readiness check that fails until they
 * finish, and shutdown makes `/readyz` fail first, as upstream does.
 */

/** A check: returns undefined when healthy, else the failure reason (logged, withheld from clients). */
export type HealthCheck = () => string | undefined;

/** Which endpoints a check appears on. */
export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

interface Entry {
  name: string;
  check: HealthCheck;
  endpoints: Set<HealthEndpoint>;
}

/** The result of running one endpoint's checks. */
export interface HealthReport {
  ok: boolean;
  code: number;
  body: string;
  failed: string[];
}

/** The set of named checks of one server. */
export class HealthChecks {
  private readonly entries: Entry[] = [];

  /** Add a check to the given endpoints (all three by default). */
  add(name: string, check: HealthCheck, endpoints: HealthEndpoint[] = ['healthz', 'livez', 'readyz']): void {
    this.entries.push({ name, check, endpoints: new Set(endpoints) });
  }

  /**
   * Register a post-start hook's readiness check (`poststarthook/<name>`), failing until the returned
   * function is called.
   */
  postStartHook(name: string): () => void {
    let done = false;
    this.add(`poststarthook/${name}`, () => (done ? undefined : 'not finished'));
    return () => {
      done = true;
    };
  }

  /** Names of the checks on an endpoint. */
  names(endpoint: HealthEndpoint): string[] {
    return this.entries.filter((e) => e.endpoints.has(endpoint)).map((e) => e.name);
  }

  /** Run an endpoint's checks (or one named check), as `GET /<endpoint>[/<name>][?verbose][&exclude=…]`. */
  run(endpoint: HealthEndpoint, verbose: boolean, only?: string, exclude: string[] = []): HealthReport | undefined {
    let entries = this.entries.filter((e) => e.endpoints.has(endpoint));
    if (only !== undefined) {
      entries = entries.filter((e) => e.name === only);
      if (entries.length === 0) return undefined;
    }
    const lines: string[] = [];
    const failed: string[] = [];
    for (const e of entries) {
      if (exclude.includes(e.name)) {
        lines.push(`[+]${e.name} excluded: ok`);
        continue;
      }
      const reason = e.check();
      if (reason === undefined) lines.push(`[+]${e.name} ok`);
      else {
        lines.push(`[-]${e.name} failed: reason withheld`);
        failed.push(e.name);
      }
    }
    const ok = failed.length === 0;
    if (ok && !verbose) return { ok, code: 200, body: 'ok', failed };
    const body = `${lines.join('\n')}\n${only !== undefined ? '' : `${endpoint} check ${ok ? 'passed' : 'failed'}\n`}`;
    return { ok, code: ok ? 200 : 500, body, failed };
  }
}
