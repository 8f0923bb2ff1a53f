/**
 * The API the sample-apiserver serves, as data: `wardle.example.com/v1alpha1` with `flunders`
 * (namespaced) and `fischers` (cluster-scoped), as upstream's sample-apiserver registers them, in a
 * VersionProfile of its own minor so the project's discovery, registry and routes serve it as is.
 */
import { loadProfile } from '../../versions/profile.js';
import type { ResourceManifest, ServedGroupVersion, VersionProfile } from '../../versions/types.js';

/** The group and version served. */
export const WARDLE_GROUP = 'wardle.example.com';
export const WARDLE_VERSION = 'v1alpha1';
/** The name of the APIService that routes it (`v1alpha1.wardle.example.com`). */
export const WARDLE_APISERVICE = `${WARDLE_VERSION}.${WARDLE_GROUP}`;
/** The Kubernetes minor whose generic API server the sample-apiserver is built on. */
export const SAMPLE_APISERVER_MINOR = '1.33';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const resources: ResourceManifest[] = [
  { name: 'fischers', singularName: 'fischer', kind: 'Fischer', namespaced: false, verbs: VERBS, enabledByDefault: true },
  { name: 'flunders', singularName: 'flunder', kind: 'Flunder', namespaced: true, verbs: VERBS, enabledByDefault: true },
];

/** The group/version the sample-apiserver serves. */
export const WARDLE_GROUP_VERSION: ServedGroupVersion = {
  group: WARDLE_GROUP,
  version: WARDLE_VERSION,
  groupVersion: `${WARDLE_GROUP}/${WARDLE_VERSION}`,
  stability: 'alpha',
  resources,
};

/** The sample-apiserver's profile: its minor's behaviour, with only the wardle group served. */
export function wardleProfile(): VersionProfile {
  return { ...loadProfile({ minor: SAMPLE_APISERVER_MINOR }), groups: [WARDLE_GROUP_VERSION] };
}
