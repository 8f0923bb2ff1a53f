/**
 * The delegating authorizer of the sample-apiserver, with a reviewer the test answers: what it allows
 * without asking (system:masters, the health paths), the SubjectAccessReview spec it sends, the
 * cache and its two TTLs on the injected clock, and how a review's status maps to a decision.
 */
import t from 'tap';
import type { Clock, ClockTimer } from '../../../server/clock.js';
import { delegatingAuthorizer } from '../../../server/authz/delegating.js';
import { webhookAuthorizer } from '../../../server/authz/webhook.js';
import type { SubjectAccessReviewSpec, SubjectAccessReviewStatus } from '../../../server/authz/sar-client.js';
import { resolveRequestInfo } from '../../../server/request-info.js';

class FixedClock implements Clock {
  ms = Date.parse('2026-01-01T00:00:00Z');
  now(): Date {
    return new Date(this.ms);
  }
  setTimeout(): ClockTimer {
    return { cancel: () => undefined };
  }
  setInterval(): ClockTimer {
    return { cancel: () => undefined };
  }
}

const jane = { name: 'jane', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] } };
const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'], extra: {} };
const info = (method: string, path: string) => resolveRequestInfo(method, path, new URLSearchParams());
const LIST = info('GET', '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders');

function setup(answer: (spec: SubjectAccessReviewSpec) => SubjectAccessReviewStatus | Error) {
  const clock = new FixedClock();
  const sent: SubjectAccessReviewSpec[] = [];
  const review = async (spec: SubjectAccessReviewSpec) => {
    sent.push(spec);
    const a = answer(spec);
    if (a instanceof Error) throw a;
    return a;
  };
  return { clock, sent, authorize: delegatingAuthorizer({ webhook: webhookAuthorizer(review, { clock }) }) };
}

t.test('system:masters and the health paths are allowed without a review', async (t) => {
  const { sent, authorize } = setup(() => ({ allowed: false }));
  t.same(await authorize(admin, LIST), { allowed: true });
  for (const path of ['/healthz', '/readyz', '/livez']) t.same(await authorize(jane, info('GET', path)), { allowed: true }, path);
  t.same(sent, []);
  t.same(await authorize(jane, info('GET', '/healthz/etcd')), { allowed: false, reason: '' }, 'only the listed paths, not what is below them');
  t.same(sent, [{ user: 'jane', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] }, nonResourceAttributes: { path: '/healthz/etcd', verb: 'get' } }], 'a non-resource review');
});

t.test('the review spec, the cache and its TTLs', async (t) => {
  let allow = false;
  const { clock, sent, authorize } = setup(() => ({ allowed: allow }));
  t.same(await authorize(jane, LIST), { allowed: false, reason: '' });
  t.same(sent[0], {
    user: 'jane',
    uid: 'u-1',
    groups: ['devs', 'system:authenticated'],
    extra: { scopes: ['a'] },
    resourceAttributes: { namespace: 'default', verb: 'list', group: 'wardle.example.com', version: 'v1alpha1', resource: 'flunders', subresource: '', name: '' },
  });
  allow = true;
  clock.ms += 9_999;
  t.same(await authorize(jane, LIST), { allowed: false, reason: '' }, 'a denial is cached for 10s');
  t.equal(sent.length, 1);
  clock.ms += 1;
  t.same(await authorize(jane, LIST), { allowed: true }, 'then asked again');
  t.equal(sent.length, 2);
  allow = false;
  clock.ms += 9_999;
  t.same(await authorize(jane, LIST), { allowed: true }, 'an allowed answer is cached for 10s too');
  clock.ms += 1;
  t.same(await authorize(jane, LIST), { allowed: false, reason: '' });
  t.equal(sent.length, 3);
});

t.test('how a status decides', async (t) => {
  const statuses: Record<string, SubjectAccessReviewStatus | Error> = {
    list: { allowed: false, reason: 'no rule' },
    get: { allowed: false, denied: true, reason: 'denied by policy' },
    delete: { allowed: true, denied: true },
    create: new Error('Post "https://x/apis/authorization.k8s.io/v1/subjectaccessreviews": connect ECONNREFUSED'),
  };
  const { authorize } = setup((spec) => statuses[spec.resourceAttributes?.verb ?? '']!);
  t.same(await authorize(jane, LIST), { allowed: false, reason: 'no rule' }, 'no opinion: refused with the reason');
  t.same(await authorize(jane, info('GET', '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/f1')), { allowed: false, reason: 'denied by policy' });
  t.same(await authorize(jane, info('DELETE', '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/f1')), { allowed: false, reason: '', error: 'webhook subject access review returned both allow and deny response' });
  const failed = await authorize(jane, info('POST', '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders'));
  t.match(failed, { allowed: false, error: /ECONNREFUSED/ }, 'a failed review is an error, which the filter answers with a 500');
});
