/**
 * resolveRequestInfo against the cases of upstream's RequestInfoFactory tests
 * (k8s.io/apiserver pkg/endpoints/request/requestinfo_test.go), plus the non-resource paths
 * kube-skew serves and the `watch` / `fieldSelector` parameter rules.
 */
import t from 'tap';
import { queryBool, RequestInfoError, resolveRequestInfo, type RequestInfo } from '../../server/request-info.js';

function resolve(method: string, url: string): RequestInfo {
  const q = url.indexOf('?');
  return resolveRequestInfo(method, q >= 0 ? url.slice(0, q) : url, new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''));
}

/** [method, url, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name, parts] */
type Row = [string, string, string, string, string, string, string, string, string, string, string[]];

t.test('resource requests (upstream TestGetAPIRequestInfo success cases)', async (t) => {
  const rows: Row[] = [
    // resource paths
    ['GET', '/api/v1/namespaces', 'list', 'api', '', 'v1', '', 'namespaces', '', '', ['namespaces']],
    ['GET', '/api/v1/namespaces/other', 'get', 'api', '', 'v1', 'other', 'namespaces', '', 'other', ['namespaces', 'other']],
    ['GET', '/api/v1/namespaces/other/pods', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['GET', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['HEAD', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    // server-side apply creating a namespace: upstream leaves the namespace unset for this PATCH only
    ['PATCH', '/api/v1/namespaces/new-namespace', 'patch', 'api', '', 'v1', '', 'namespaces', '', 'new-namespace', ['namespaces', 'new-namespace']],
    ['PUT', '/api/v1/namespaces/other', 'update', 'api', '', 'v1', 'other', 'namespaces', '', 'other', ['namespaces', 'other']],
    ['PATCH', '/api/v1/namespaces/other/status', 'patch', 'api', '', 'v1', 'other', 'namespaces', 'status', 'other', ['namespaces', 'other', 'status']],
    // cluster-scoped
    ['GET', '/api/v1/nodes/n1', 'get', 'api', '', 'v1', '', 'nodes', '', 'n1', ['nodes', 'n1']],
    ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles', 'list', 'apis', 'rbac.authorization.k8s.io', 'v1', '', 'clusterroles', '', '', ['clusterroles']],
    ['GET', '/apis/apps/v1/deployments', 'list', 'apis', 'apps', 'v1', '', 'deployments', '', '', ['deployments']],
    ['GET', '/apis/apps/v1/namespaces/ns1/deployments/web', 'get', 'apis', 'apps', 'v1', 'ns1', 'deployments', '', 'web', ['deployments', 'web']],
    // special verbs
    ['GET', '/api/v1/proxy/namespaces/other/pods/foo', 'proxy', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['GET', '/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource', 'proxy', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo', 'subpath', 'not', 'a', 'subresource']],
    ['GET', '/api/v1/watch/pods', 'watch', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/pods?watch=true', 'watch', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/pods?watch=false', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/watch/namespaces/other/pods', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/watch/namespaces/other/pods/foo', 'watch', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['GET', '/apis/apps/v1/watch/namespaces/other/deployments', 'watch', 'apis', 'apps', 'v1', 'other', 'deployments', '', '', ['deployments']],
    ['GET', '/api/v1/namespaces/other/pods?watch=1', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/namespaces/other/pods?watch=0', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    // subresource identification
    ['GET', '/api/v1/namespaces/other/pods/foo/status', 'get', 'api', '', 'v1', 'other', 'pods', 'status', 'foo', ['pods', 'foo', 'status']],
    ['GET', '/api/v1/namespaces/other/pods/foo/proxy/subpath', 'get', 'api', '', 'v1', 'other', 'pods', 'proxy', 'foo', ['pods', 'foo', 'proxy', 'subpath']],
    ['PUT', '/api/v1/namespaces/other/finalize', 'update', 'api', '', 'v1', 'other', 'namespaces', 'finalize', 'other', ['namespaces', 'other', 'finalize']],
    ['PUT', '/api/v1/namespaces/other/status', 'update', 'api', '', 'v1', 'other', 'namespaces', 'status', 'other', ['namespaces', 'other', 'status']],
    ['PATCH', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', 'patch', 'apis', 'apps', 'v1', 'ns1', 'deployments', 'scale', 'web', ['deployments', 'web', 'scale']],
    ['GET', '/api/v1/nodes/n1/status', 'get', 'api', '', 'v1', '', 'nodes', 'status', 'n1', ['nodes', 'n1', 'status']],
    // verb identification
    ['PATCH', '/api/v1/namespaces/other/pods/foo', 'patch', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['POST', '/api/v1/namespaces/other/pods', 'create', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['PUT', '/api/v1/namespaces/other/pods/foo', 'update', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    // deletecollection verb identification
    ['DELETE', '/api/v1/nodes', 'deletecollection', 'api', '', 'v1', '', 'nodes', '', '', ['nodes']],
    ['DELETE', '/api/v1/namespaces', 'deletecollection', 'api', '', 'v1', '', 'namespaces', '', '', ['namespaces']],
    ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['DELETE', '/apis/extensions/v1/namespaces/other/pods', 'deletecollection', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', ['pods']],
    // api group and version identification
    ['POST', '/apis/extensions/v1/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', ['pods']],
    ['POST', '/apis/extensions/v1beta3/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1beta3', 'other', 'pods', '', '', ['pods']],
    // trailing slash is ignored
    ['GET', '/api/v1/namespaces/other/pods/', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ];
  for (const [method, url, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name, parts] of rows) {
    const info = resolve(method, url);
    t.same(
      {
        isResourceRequest: info.isResourceRequest,
        verb: info.verb,
        apiPrefix: info.apiPrefix,
        apiGroup: info.apiGroup,
        apiVersion: info.apiVersion,
        namespace: info.namespace,
        resource: info.resource,
        subresource: info.subresource,
        name: info.name,
        parts: info.parts,
      },
      { isResourceRequest: true, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name, parts },
      `${method} ${url}`,
    );
  }
});

t.test('the `watch` parameter as apimachinery converts []string to bool', async (t) => {
  const cases: Array<[string, string]> = [
    ['watch=true', 'watch'],
    ['watch=True', 'watch'], // the Python client
    ['watch=TRUE', 'watch'],
    ['watch=1', 'watch'],
    ['watch=yes', 'watch'],
    ['watch=', 'watch'], // present but empty is true
    ['watch', 'watch'],
    ['watch=false', 'list'],
    ['watch=False', 'list'],
    ['watch=0', 'list'],
    ['watch=f', 'list'],
    ['watch=F', 'list'],
    ['watch=false&watch=true', 'list'], // the first value counts
    ['', 'list'],
  ];
  for (const [query, verb] of cases) t.equal(resolve('GET', `/api/v1/namespaces/ns/pods?${query}`).verb, verb, `?${query}`);
  t.equal(queryBool(new URLSearchParams(''), 'watch'), false, 'absent is false');
  t.equal(queryBool(new URLSearchParams('allowWatchBookmarks=true'), 'allowWatchBookmarks'), true);
  // watch=true only changes the verb of collection GETs
  t.equal(resolve('GET', '/api/v1/namespaces/ns/pods/foo?watch=true').verb, 'get', 'named GET stays get');
  t.equal(resolve('DELETE', '/api/v1/namespaces/ns/pods?watch=true').verb, 'deletecollection');
});

t.test('fieldSelector metadata.name sets the name of list and watch (upstream TestFieldSelectorParsing)', async (t) => {
  const cases: Array<{ url: string; name: string; verb: string }> = [
    { url: '/apis/group/version/resource', name: '', verb: 'list' },
    { url: '/apis/group/version/resource?fieldSelector=metadata.name=name1', name: 'name1', verb: 'list' },
    { url: '/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1', name: 'name1', verb: 'watch' },
    { url: '/apis/group/version/resource?fieldSelector=foo=bar', name: '', verb: 'list' },
    // an unparsable selector drops the options: no name, watch read again from the raw value
    { url: '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo', name: '', verb: 'list' },
    { url: '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true', name: '', verb: 'watch' },
    { url: '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false', name: '', verb: 'list' },
    // further forms
    { url: '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3D%3Dname2', name: 'name2', verb: 'list' },
    { url: '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name!%3Dname2', name: '', verb: 'list' },
    { url: '/api/v1/namespaces/ns/pods?fieldSelector=status.phase%3DRunning,metadata.name%3Dp1', name: 'p1', verb: 'list' },
    { url: '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp1&resourceVersion=0&watch=true', name: 'p1', verb: 'watch' },
    // not a valid path segment name: the name stays unset
    { url: '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3D..', name: '', verb: 'list' },
    { url: '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Da%2Fb', name: '', verb: 'list' },
    // a bad label selector also drops the options
    { url: '/api/v1/namespaces/ns/pods?labelSelector=a%20in%20(&fieldSelector=metadata.name%3Dp1', name: '', verb: 'list' },
  ];
  for (const c of cases) {
    const info = resolve('GET', c.url);
    t.same({ name: info.name, verb: info.verb }, { name: c.name, verb: c.verb }, c.url);
  }
  // the name comes only from a collection request, never overriding the path's
  t.equal(resolve('GET', '/api/v1/namespaces/ns/pods/real?fieldSelector=metadata.name%3Dother').name, 'real');
});

t.test('non-resource requests', async (t) => {
  // [method, path, verb, apiPrefix, apiGroup, apiVersion]
  const rows: Array<[string, string, string, string, string, string]> = [
    ['GET', '/api', 'get', 'api', '', ''],
    ['GET', '/api/', 'get', 'api', '', ''],
    ['GET', '/api/v1', 'get', 'api', '', 'v1'],
    ['GET', '/apis', 'get', 'apis', '', ''],
    ['GET', '/apis/apps', 'get', 'apis', 'apps', ''],
    ['GET', '/apis/apps/v1', 'get', 'apis', 'apps', 'v1'],
    ['GET', '/apis/apps/v1/', 'get', 'apis', 'apps', 'v1'],
    ['GET', '/version', 'get', '', '', ''],
    ['GET', '/healthz', 'get', '', '', ''],
    ['GET', '/readyz/etcd', 'get', '', '', ''],
    ['GET', '/openapi/v3', 'get', '', '', ''],
    ['POST', '/version', 'post', '', '', ''],
    ['PUT', '/healthz', 'put', '', '', ''],
    ['DELETE', '/apis/apps', 'delete', 'apis', 'apps', ''],
    ['GET', '/', 'get', '', '', ''],
    ['GET', '', 'get', '', '', ''],
  ];
  for (const [method, path, verb, apiPrefix, apiGroup, apiVersion] of rows) {
    const info = resolve(method, path);
    t.same(
      { isResourceRequest: info.isResourceRequest, verb: info.verb, apiPrefix: info.apiPrefix, apiGroup: info.apiGroup, apiVersion: info.apiVersion, path: info.path },
      { isResourceRequest: false, verb, apiPrefix, apiGroup, apiVersion, path },
      `${method} ${path || '(empty)'}`,
    );
  }
  // upstream's errorCases and TestGetNonAPIRequestInfo: none of these is a resource request
  const nonResource = ['/', '/api/version/', '/apis/group/version/', '/badprefix/version/resource', '/apis/version/resource', '/not-api/version/resource', '/apis/extensions/v1beta1', '/apis/extensions/v1beta1/', '/api/version', '/api', ''];
  for (const path of nonResource) t.equal(resolve('GET', path).isResourceRequest, false, `${path || '(empty)'} is not a resource request`);
  const resource = ['/api/version/resource', '/apis/group/version/resource/name/subresource', '/api/version/resource/name/subresource', '/apis/batch/v1/job', '/apis/batch/v1/job/foo', '/apis/batch/v1/job/foo/scale'];
  for (const path of resource) t.equal(resolve('GET', path).isResourceRequest, true, `${path} is a resource request`);
});

t.test('a special verb without a resource cannot be resolved', async (t) => {
  for (const url of ['/api/v1/watch', '/api/v1/watch/', '/apis/apps/v1/watch', '/api/v1/proxy']) {
    let caught: unknown;
    try {
      resolve('GET', url);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof RequestInfoError, `${url} throws a RequestInfoError`);
    t.equal((caught as Error | undefined)?.message, `unable to determine kind and namespace from url, ${url}`, `${url}: upstream's message`);
  }
  t.throws(() => resolve('GET', '/api/v1/watch?labelSelector=a'), { message: 'unable to determine kind and namespace from url, /api/v1/watch?labelSelector=a' }, 'the URL is printed with its query');
  // the error only concerns resource paths: /watch outside /api is just a path
  t.equal(resolve('GET', '/watch').isResourceRequest, false);
});
