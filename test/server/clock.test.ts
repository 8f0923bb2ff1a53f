import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { ScaledClock, scaledClock } from '../../server/clock.js';
import { followClockFile, readClockFile, writeClockFile } from '../../server/clock-file.js';
import { tempDir } from '../fixtures/cluster.js';
import { poll } from '../peers/helpers.js';

const HOUR = 3_600_000;

/**
 * Resolves with the wall ms it took a clock timeout set by `set` to fire, or rejects after `limitMs`
 * (cancelling the timeout, which would otherwise keep the process alive).
 */
function fired(set: (fn: () => void) => { cancel(): void }, limitMs = 5000): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      timer.cancel();
      reject(new Error(`did not fire within ${limitMs} ms`));
    }, limitMs);
    const timer = set(() => {
      clearTimeout(guard);
      resolve(Date.now() - t0);
    });
  });
}

t.test('time runs scale times faster than the wall from the anchor', async (t) => {
  let wall = 1_000_000;
  const clock = new ScaledClock({ wall, time: 5_000_000, scale: 60 }, () => wall);
  t.equal(clock.nowMs(), 5_000_000);
  wall += 1000;
  t.equal(clock.nowMs(), 5_060_000, 'one wall second is a minute');
  clock.adjust({ wall, time: clock.nowMs() + HOUR, scale: 1 });
  wall += 1000;
  t.equal(clock.nowMs(), 5_060_000 + HOUR + 1000, 'after a jump of an hour, real time');
});

t.test('invalid anchors are refused', async (t) => {
  t.throws(() => new ScaledClock({ wall: 0, time: 0, scale: 0 }), /scale must be a positive number/);
  t.throws(() => scaledClock(-1), /time scale must be positive/);
  const clock = scaledClock(1);
  t.throws(() => clock.adjust({ wall: 0, time: Number.NaN, scale: 1 }), /time must be milliseconds/);
});

t.test('a faster scale brings a pending timeout forward', async (t) => {
  const clock = scaledClock(1);
  const p = fired((fn) => clock.setTimeout(fn, 60_000));
  await sleep(20);
  clock.adjust({ wall: Date.now(), time: clock.nowMs(), scale: 10_000 });
  const ms = await p;
  t.ok(ms < 2000, `a 60 s timeout fired ${ms} ms after the clock went 10,000× faster`);
});

t.test('a jump forward fires what fell due, and an interval fires once for the ticks it skipped', async (t) => {
  const clock = scaledClock(1);
  let ticks = 0;
  const interval = clock.setInterval(() => ticks++, HOUR);
  const p = fired((fn) => clock.setTimeout(fn, HOUR));
  const notDue = fired((fn) => clock.setTimeout(fn, 10 * HOUR), 400);
  clock.adjust({ wall: Date.now(), time: clock.nowMs() + 5 * HOUR + 1, scale: 1 });
  await p;
  await sleep(50);
  t.equal(ticks, 1, 'five skipped hourly ticks fire once');
  await t.rejects(notDue, /did not fire/, 'a timeout still in the future waits');
  interval.cancel();
  clock.adjust({ wall: Date.now(), time: clock.nowMs() + 5 * HOUR, scale: 1 });
  await sleep(50);
  t.equal(ticks, 1, 'a cancelled interval never fires again');
});

t.test('a cancelled timeout does not fire', async (t) => {
  const clock = scaledClock(1000);
  let fires = 0;
  clock.setTimeout(() => fires++, 10).cancel();
  await sleep(50);
  t.equal(fires, 0);
});

t.test('servers follow the clock file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'clock.json');
  const start = { wall: Date.now(), time: Date.now(), scale: 1 };
  writeClockFile(path, start);
  t.same(readClockFile(path), start);
  const clock = new ScaledClock(readClockFile(path));
  const errors: Error[] = [];
  const stop = followClockFile(clock, path, (err) => errors.push(err));
  t.teardown(stop);

  const pending = fired((fn) => clock.setTimeout(fn, HOUR));
  writeClockFile(path, { wall: Date.now(), time: clock.nowMs() + 2 * HOUR, scale: 2 });
  await pending;
  t.equal(clock.anchor.scale, 2, 'the new scale is followed');
  t.ok(clock.nowMs() >= start.time + 2 * HOUR, 'and the jump');

  await writeFile(path, '{"wall": 1, "time": "soon", "scale": 1}\n');
  await sleep(300);
  t.equal(clock.anchor.scale, 2, 'an invalid file keeps the clock where it was');
  // writeFile truncates before it writes: the follower may first read an empty file and report that.
  const invalidTime = new RegExp(`clock file ${path}: time must be milliseconds since the epoch`);
  t.ok(errors.some((e) => invalidTime.test(e.message)), 'the invalid time is reported', { errors: errors.map((e) => e.message) });
  t.throws(() => readClockFile(join(dir, 'missing.json')), /clock file .*missing\.json: ENOENT/);
});

t.test('a clock file replaced right away, or twice in a row, is still followed', async (t) => {
  // Each write renames a fresh file over the last: the new file may get the old one's inode, size
  // and (coarse) mtime, so only the text tells the change; and a change made before the follower
  // took its first look must not be missed either.
  const dir = await tempDir(t);
  const scaleBecomes = (clock: ScaledClock, scale: number) => poll(async () => clock.anchor.scale, (s) => s === scale, 3000, 5);
  const missed: string[] = [];
  for (let round = 0; round < 20; round++) {
    const path = join(dir, `clock-${round}.json`);
    const wall = Date.now();
    writeClockFile(path, { wall, time: wall, scale: 1 });
    const clock = new ScaledClock(readClockFile(path));
    const stop = followClockFile(clock, path, (err) => t.fail(err.message));
    writeClockFile(path, { wall, time: wall, scale: 2 });
    if (!(await scaleBecomes(clock, 2)).ok) missed.push(`round ${round}: a change right after following began`);
    writeClockFile(path, { wall, time: wall, scale: 3 });
    writeClockFile(path, { wall, time: wall, scale: 4 });
    if (!(await scaleBecomes(clock, 4)).ok) missed.push(`round ${round}: the second of two quick changes`);
    stop();
  }
  t.same(missed, [], 'in 20 rounds, every change was followed within 3 s');
});
