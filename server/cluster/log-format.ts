/**
 * Log records for a person at a terminal: one pino JSON line becomes `HH:MM:SS.mmm LEVEL message
 * key=value …`, the level coloured when asked. The fields every record of a server carries (`pid`,
 * `hostname`, `server`) are left out; the name is shown by whoever prints several servers' lines.
 * A line that is not a JSON object is returned unchanged. (pino-pretty, the usual tool, is not a
 * dependency of kube-skew; this is the small part of it the CLI needs.)
 */

/** pino's level numbers and their names. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** ANSI colours of the levels. */
const COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields not printed as key=value. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'server']);

/** A field value as printed: strings bare unless they hold spaces or quotes, everything else as JSON. */
function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object' && 'message' in value && 'type' in value) {
    // pino's serialised error: its type and message, not its stack.
    const err = value as { type: unknown; message: unknown };
    return JSON.stringify(`${String(err.type)}: ${String(err.message)}`);
  }
  return JSON.stringify(value);
}

/** The local wall time of `ms` as `HH:MM:SS.mmm`. */
function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Format one log line for a terminal; `colour` adds ANSI colours to the level. */
export function prettyRecord(line: string, colour = false): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof record.level === 'number' ? record.level : 30;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const levelText = colour && COLOURS[level] ? `\u001b[${COLOURS[level]}m${name}\u001b[39m` : name;
  const time = typeof record.time === 'number' ? clockTime(record.time) : '';
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${show(value)}`);
  return [time, levelText, typeof record.msg === 'string' ? record.msg : '', ...fields].filter((part) => part !== '').join(' ');
}
