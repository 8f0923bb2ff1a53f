/**
 * The clock step: the loader checks it, and the library's peer-crash-clock scenario depends on it —
 * without its clock steps upstream's durations do not play out, and the scenario fails where the
 * leases should have expired.
 */
import t from 'tap';
import { parseScenario, ScenarioError } from '../../scenarios/engine/scenario-file.js';
import { broken, explain } from './library.js';

const HEAD = `apiVersion: kube-skew.dev/v1alpha1
kind: Scenario
metadata:
  name: demo
spec:
  cluster:
    servers:
      - {name: a, minor: "1.35"}
  steps:
`;

function problems(steps: string): string[] {
  try {
    parseScenario(HEAD + steps, 'demo.yaml');
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n');
  }
  return [];
}

t.test('the loader accepts clock steps and names the field of a bad one', async (t) => {
  t.same(problems('    - clock: {scale: 60}\n    - clock: {advance: 2h}\n    - clock: {scale: 1, advance: 90s}\n'), []);
  t.same(problems('    - clock: {}\n'), ['demo.yaml:10:7: spec.steps[0].clock: needs one of: scale, advance (step 1)']);
  t.same(problems('    - clock: {scale: 0}\n'), ['demo.yaml:10:15: spec.steps[0].clock.scale: must be greater than 0, not 0 (step 1)']);
  t.same(problems('    - clock: {advance: -1h}\n'), ['demo.yaml:10:15: spec.steps[0].clock.advance: invalid value "-1h": A duration such as 500ms, 2s, 1m or 2h. (step 1)']);
  t.same(problems('    - clock: {speed: 2}\n'), [
    'demo.yaml:10:7: spec.steps[0].clock: needs one of: scale, advance (step 1)',
    'demo.yaml:10:15: spec.steps[0].clock.speed: unknown field "speed" (step 1)',
  ]);
});

t.test('peer-crash-clock fails where the leases should expire when its clock steps are gone', async (t) => {
  const withoutJump = await broken('peer-crash-clock', {
    scenario: (s) => ({ ...s, spec: { ...s.spec, steps: s.spec.steps.filter((step) => step.clock?.advance === undefined) } }),
  });
  t.ok(withoutJump.failed.includes('the GC removes the expired identity lease'), 'without the jump, the 3600 s identity lease lingers', {
    details: explain(withoutJump.result),
  });
  t.notOk(withoutJump.failed.includes('the 15 s endpoint lease expires within seconds'), 'the faster scale still expires the endpoint lease');

  const withoutScale = await broken('peer-crash-clock', {
    scenario: (s) => ({ ...s, spec: { ...s.spec, steps: s.spec.steps.filter((step) => step.clock?.scale === undefined) } }),
  });
  t.ok(withoutScale.failed.includes('the 15 s endpoint lease expires within seconds'), 'at real speed the endpoint lease outlives the wait', {
    details: explain(withoutScale.result),
  });
});
