/**
 * The small formatters of the logs: Go's duration text for request latencies, and a pino record
 * turned into a terminal line by pino-pretty (time, level, message, the remaining fields).
 */
import t from 'tap';
import { formatGoDuration } from '../../server/http/duration.js';
import { prettyRecord } from '../../server/cluster/log-format.js';
import { stderrRecord } from '../../server/cluster/log-file.js';

t.test('formatGoDuration is time.Duration.String', async (t) => {
  const table: Array<[number, string]> = [
    [0, '0s'],
    [850, '850ns'],
    [1_500, '1.5µs'],
    [12_345_678, '12.345678ms'],
    [1_000_000, '1ms'],
    [1_500_000_000, '1.5s'],
    [123_500_000_000, '2m3.5s'],
    [3_600_000_000_000, '1h0m0s'],
    [-2_000_000, '-2ms'],
  ];
  for (const [ns, want] of table) t.equal(formatGoDuration(ns), want, `${ns} ns`);
});

t.test('prettyRecord', async (t) => {
  const time = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
  const line = JSON.stringify({ level: 30, time, pid: 1, hostname: 'h', server: 'a', version: '1.35', msg: 'HTTP', verb: 'GET', userAgent: 'kubectl/v1.33.0 (linux/amd64)', resp: 200 });
  t.equal(prettyRecord(line), '[03:04:05.006] INFO: HTTP {"version":"1.35","verb":"GET","userAgent":"kubectl/v1.33.0 (linux/amd64)","resp":200}', 'one line; pid, hostname and server left out');
  t.match(prettyRecord(line, true), /^\[03:04:05\.006\] \u001b\[32mINFO\u001b\[39m: /, 'the level coloured on request');
  const err = JSON.stringify({ level: 50, time, msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n at x' } });
  t.match(prettyRecord(err), /^\[03:04:05\.006\] ERROR: failed[\s\S]*"message": "boom"[\s\S]*Error: boom/, 'an error shows its message and stack');
  t.equal(prettyRecord('not json'), 'not json', 'other lines unchanged');
  t.equal(prettyRecord(stderrRecord('a', 'Error: x', time)), '[03:04:05.006] ERROR: Error: x {"stream":"stderr"}', 'a stderr line as a record');
});
