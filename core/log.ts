// Where core writes what an operator should see (a failed after-commit effect, a dead letter):
// a port, so core needs no logging library. The Lambda functions plug in Powertools' Logger
// (functions/log.ts); anywhere else (the local server, tests, benchmarks) lines are JSON on the
// console, in the same shape.

export type LogFields = Record<string, unknown>;

export interface Log {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const line = (level: string, message: string, fields?: LogFields) =>
  JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields });

export const consoleLog: Log = {
  info: (message, fields) => console.info(line('INFO', message, fields)),
  warn: (message, fields) => console.warn(line('WARN', message, fields)),
  error: (message, fields) => console.error(line('ERROR', message, fields)),
};

let current: Log = consoleLog;

/** The log core writes to. */
export function log(): Log {
  return current;
}

/** Plugs in the process's log (once, at a function's cold start). */
export function useLog(next: Log): void {
  current = next;
}

/** An error and its causes, as log fields. */
export function errorFields(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return String(error);
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined && depth < 5 ? { cause: errorFields(error.cause, depth + 1) } : {}),
  };
}
