// Assertions for programmer errors: a failed one is a bug, never an expected outcome; and the
// guard that narrows a value read from outside (a stored item, a parsed body) to an object.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Whether `value` is a plain object whose fields can be read by name (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
