/**
 * Facts of kube-apiserver's authentication settings per minor, as data. From 1.32 (with
 * `--requestheader-uid-headers` and the RemoteRequestHeaderUID feature) the published
 * `extension-apiserver-authentication` ConfigMap carries `requestheader-uid-headers`.
 */

/** The first minor number whose ConfigMap has `requestheader-uid-headers`. */
export const REQUESTHEADER_UID_HEADERS_SINCE = 32;

/** True when a server of `minorNumber` publishes `requestheader-uid-headers`. */
export function publishesUidHeaders(minorNumber: number): boolean {
  return minorNumber >= REQUESTHEADER_UID_HEADERS_SINCE;
}

/** What a minor's ServiceAccount tokens carry and accept (KEP-4193's gates, as the profile sets them). */
export interface ServiceAccountTokenFacts {
  /** `ServiceAccountTokenJTI`: a `jti` in every token and `credential-id` `JTI=<jti>` in the user's extra. */
  jti: boolean;
  /** `ServiceAccountTokenPodNodeInfo`: a pod-bound token names the pod's node; the user gets node-name/node-uid. */
  podNodeInfo: boolean;
  /** `ServiceAccountTokenNodeBinding`: a TokenRequest may bind a token to a Node. */
  nodeBinding: boolean;
  /** `ServiceAccountTokenNodeBindingValidation`: a node-bound token is checked against its Node. */
  nodeBindingValidation: boolean;
  /**
   * The minor's TokenRequest knows Node as a bound object (the `ServiceAccountTokenNodeBinding`
   * gate exists, from 1.29): otherwise a Node is refused as any unknown kind.
   */
  nodeBindingKnown: boolean;
  /**
   * The minor's token validator reads a `node` claim (the `ServiceAccountTokenNodeBindingValidation`
   * gate exists, from 1.29): otherwise the claim is ignored, as an unknown JSON field.
   */
  nodeClaimKnown: boolean;
}

/** The token facts of a server from its feature gates (`gates` holds the gates its minor registers; one it lacks is off). */
export function serviceAccountTokenFacts(gates: ReadonlyMap<string, boolean>): ServiceAccountTokenFacts {
  return {
    jti: gates.get('ServiceAccountTokenJTI') === true,
    podNodeInfo: gates.get('ServiceAccountTokenPodNodeInfo') === true,
    nodeBinding: gates.get('ServiceAccountTokenNodeBinding') === true,
    nodeBindingValidation: gates.get('ServiceAccountTokenNodeBindingValidation') === true,
    nodeBindingKnown: gates.has('ServiceAccountTokenNodeBinding'),
    nodeClaimKnown: gates.has('ServiceAccountTokenNodeBindingValidation'),
  };
}
