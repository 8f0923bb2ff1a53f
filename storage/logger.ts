/**
 * The logging surface a store uses: the subset of a pino logger it calls, so a pino child logger
 * (or any object with these methods) can be passed in and nothing else about logging leaks in.
 */

/** A pino-compatible logger: `logger.warn({ err }, 'message')`. */
export interface StoreLogger {
  /** Something went wrong that the store recovers from (a retry, a fallback). */
  warn(fields: object, message: string): void;
  /** Something went wrong that a caller should hear about (a watch handler threw). */
  error(fields: object, message: string): void;
}
