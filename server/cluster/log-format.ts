/**
 * Log records for a person at a terminal, formatted by pino-pretty: one pino JSON line becomes
 * `[HH:MM:ss.l] LEVEL: message {fields}` (an error's fields, its stack included, on the lines below),
 * the level coloured when asked. The fields every record of a server carries (`pid`, `hostname`,
 * `server`) are left out; the name is shown by whoever prints several servers' lines. A line that is
 * not a JSON object is returned unchanged.
 */
import { prettyFactory } from 'pino-pretty';

const OPTIONS = { singleLine: true, ignore: 'pid,hostname,server', translateTime: 'SYS:HH:MM:ss.l' } as const;
const plain = prettyFactory({ ...OPTIONS, colorize: false });
const coloured = prettyFactory({ ...OPTIONS, colorize: true });

/** Format one log line for a terminal (without its line end); `colour` adds ANSI colours. */
export function prettyRecord(line: string, colour = false): string {
  return (colour ? coloured : plain)(line).replace(/\n$/, '');
}
