/**
 * Work a kind's writes do besides storing the object, as upstream's registry Store hooks
 * (`BeginCreate`, `BeginUpdate`, `AfterDelete`): the Service REST storage allocates ClusterIPs
 * and NodePorts before a Service is validated and stored, and frees them after it is deleted. The
 * registry calls them; what they do lives with the kind (server/registry/service/).
 */
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-type.js';

/** What a begun write did: `commit` once the object is stored, `revert` when it is not. */
export interface WriteTransaction {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

/** The hooks of one kind. */
export interface KindWriteHooks {
  /**
   * Before a create is validated: may fill fields of `obj` and throw a StatusError to refuse.
   * With `dryRun` nothing may persist.
   */
  beginCreate(obj: KubeObject, dryRun: boolean): Promise<WriteTransaction>;
  /** Before an update of the main resource is validated; `old` is the stored object. */
  beginUpdate(obj: KubeObject, old: KubeObject, dryRun: boolean): Promise<WriteTransaction>;
  /** After the object is gone from the store (not on a dry run). Must not throw. */
  afterDelete(obj: KubeObject): Promise<void>;
}

/** The hooks of every kind that has some. */
export interface WriteHooks {
  /** The hooks of `type`, or undefined for a kind without any. */
  forType(type: ResourceType): KindWriteHooks | undefined;
}
