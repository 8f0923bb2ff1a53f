/** The rows of `kube-skew versions list`: each simulated minor's /version, proxy generation, proxy gate and aggregated discovery. */
import { gatesFor } from '../../versions/features.js';
import { SUPPORTED_MINORS } from '../../versions/manifest.js';
import { aggregatedDiscoveryVersions, minorInfo } from '../../versions/minors.js';
import type { MinorRow } from './report.js';

const PROXY_GATE = 'UnknownVersionInteroperabilityProxy';

/** The `versions list` rows, oldest minor first. */
export function minorRows(): MinorRow[] {
  return SUPPORTED_MINORS.map((minor) => {
    const info = minorInfo(minor);
    const specs = gatesFor(minor);
    const defaults = new Map([...specs].map(([name, spec]) => [name, spec.default]));
    const gate = specs.get(PROXY_GATE);
    const row: MinorRow = { minor, gitVersion: info.gitVersion, mvpGeneration: info.mvpGeneration, aggregatedDiscovery: aggregatedDiscoveryVersions(minor, defaults) };
    if (gate) row.proxyGate = { stage: gate.stage, default: gate.default, lockToDefault: gate.lockToDefault };
    return row;
  });
}
