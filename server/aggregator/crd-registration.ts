/**
 * The crdregistration controller, as kube-apiserver's: every served version of every CRD the
 * server sees is handed to the autoregister controller as a Local APIService managed always
 * (group priority 1000, version priority 100), and taken back when the CRD or the version goes.
 */
import { CRD_APISERVICE_PRIORITY } from '../../versions/apiservice-priorities.js';
import type { CrdInformer } from '../apiextensions/crd-informer.js';
import { apiServiceName } from './apiservice.js';
import type { AutoRegisterController } from './autoregister.js';

/** Keep the autoregister controller's CRD entries in line with the CRD informer. */
export function registerCrdApiServices(crds: CrdInformer, autoregister: AutoRegisterController): void {
  let current = new Set<string>();
  const sync = (): void => {
    const next = new Map<string, { group: string; version: string }>();
    for (const crd of crds.list()) {
      const group = crd.spec?.group ?? '';
      for (const v of crd.spec?.versions ?? []) if (v.served) next.set(apiServiceName(group, v.name), { group, version: v.name });
    }
    for (const [name, gv] of next) {
      autoregister.addAlways({
        metadata: { name },
        spec: { group: gv.group, version: gv.version, groupPriorityMinimum: CRD_APISERVICE_PRIORITY.group, versionPriority: CRD_APISERVICE_PRIORITY.version },
      });
    }
    for (const name of current) if (!next.has(name)) autoregister.remove(name);
    current = new Set(next.keys());
  };
  sync();
  crds.addHandlers({ onAdd: sync, onUpdate: sync, onDelete: sync });
}
