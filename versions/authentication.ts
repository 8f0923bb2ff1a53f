/**
 * Facts of kube-apiserver's authentication settings per minor, as data: from 1.32 (with
 * `--requestheader-uid-headers` and the RemoteRequestHeaderUID feature) the published
 * `extension-apiserver-authentication` ConfigMap carries `requestheader-uid-headers`.
 */

/** The first minor number whose ConfigMap has `requestheader-uid-headers`. */
export const REQUESTHEADER_UID_HEADERS_SINCE = 32;

/** True when a server of `minorNumber` publishes `requestheader-uid-headers`. */
export function publishesUidHeaders(minorNumber: number): boolean {
  return minorNumber >= REQUESTHEADER_UID_HEADERS_SINCE;
}
