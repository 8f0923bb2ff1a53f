/**
 * 10,000 fuzz requests against one real server of the newest minor in its own temporary directory,
 * beside a server of the previous minor that proxies the newest API to it; some requests are cut short by the client at every
 * point, half of them through the proxying server. Neither server ever exits, every request that
 * is not cut gets an answer, every error answer is a Status (or one of the
 * plain-text answers upstream gives too), no answer is a 500, no rejected request changes the
 * store, and afterwards the server still serves a normal request. The same seed always sends the
 * same requests, so a failure here reproduces with `kube-skew bench fuzz --requests 10000 --seed 7`.
 */
import t from 'tap';
import { runFuzz } from '../../scripts/fuzz/engine.js';
import { FUZZ_MINOR, PROXYING_MINOR, deadServers } from '../../scripts/fuzz/bench.js';
import { CATEGORIES } from '../../scripts/fuzz/case.js';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';

// The CI share of the fuzz pass; `kube-skew bench fuzz` runs 100,000 by default.
const REQUESTS = 10_000;

t.test('10,000 hostile requests', async (t) => {
  const cluster = await startCluster(
    t,
    [
      { name: 'fuzz', minor: FUZZ_MINOR },
      { name: 'proxying', minor: PROXYING_MINOR },
    ],
    { logLevel: 'silent' },
  );
  const url = urlOf(cluster, 'fuzz');
  const server = cluster.server('fuzz');
  const proxying = cluster.server('proxying');
  const report = await runFuzz({
    url,
    tls: { ca: cluster.pki.ca.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key },
    storagePath: cluster.storagePath,
    isAlive: () => server.alive && proxying.alive,
    whyExited: () => deadServers(cluster),
    proxying: { url: urlOf(cluster, 'proxying'), minor: PROXYING_MINOR },
    minor: FUZZ_MINOR,
    requests: REQUESTS,
    seed: 7,
  });
  const findings = (kind: string): string =>
    report.findings
      .filter((f) => f.kind === kind)
      .map((f) => `\n  [${f.category}/${f.variant}] ${f.detail}\n    ${f.request}`)
      .join('');

  t.equal(report.sent, REQUESTS, 'every request was sent');
  t.equal(report.notSent, 0, `Node's client sent every generated request${findings('not-sent')}`);
  t.equal(report.crashes, 0, `no server exits${findings('crash')}`);
  t.ok(server.alive && proxying.alive, 'both server processes are alive');
  t.equal(report.hangs, 0, `every request is answered in time${findings('hang')}`);
  t.equal(report.noAnswer, 0, `no connection closes unanswered${findings('no-answer')}`);
  t.equal(report.nonStatusErrors, 0, `every error is a Status or one of upstream's plain-text answers${findings('non-status-error')}`);
  t.equal(report.internalErrors, 0, `no bad input gets a 500${findings('internal-error')}`);
  t.equal(report.storeChanges, 0, `no rejected request changes the store${findings('store-change')}`);
  t.ok(report.storeChecks >= REQUESTS / 500, `the store was compared after every batch (${report.storeChecks} times)`);

  // The run covered what it claims to: every category, refusals and acceptances, the plain-text answers.
  for (const c of CATEGORIES) t.ok(report.byCategory[c].requests > 100, `${c}: ${report.byCategory[c].requests} requests`);
  t.ok((report.byClass['4xx'] ?? 0) > REQUESTS / 2, `mostly refused (${report.byClass['4xx']} 4xx)`);
  t.ok(report.acceptedWrites > 0 && report.explainedChanges.byWrites > 0, 'some writes were valid after all, and their store changes were accounted for');
  t.ok(report.plainText['not-found-text'] > 0 && report.plainText['http-400'] > 0 && report.plainText['http-431'] > 0, 'the plain-text answers were exercised');

  // The cut requests reached every point, through the proxy too.
  t.ok(report.cuts.cut > 300, `${report.cuts.cut} of ${report.cuts.sent} requests were cut where asked`);
  t.ok(report.cuts.proxied > 200, `${report.cuts.proxied} of them went to the proxying server`);

  t.ok(report.healthyAfter, 'the engine saw the server answer afterwards');
  const after = await api(cluster, url, 'GET', '/api/v1/namespaces/default');
  t.equal(after.status, 200, 'and a normal request still works');
  t.equal(after.json?.metadata?.name, 'default');
});
