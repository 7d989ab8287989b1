/**
 * An error as a log line carries it, under `err`: the logger's serializer writes every error through this
 * (core/logger.ts), so no call site can log one raw. Its type, its code, a message known to hold no value of a row,
 * its stack frames and its cause, made loggable alike. pino's own serializer kept every enumerable property, and a
 * PostgreSQL error's carry what the row held (`detail`: "Key (reference)=(RC-…) already exists", "Failing row contains
 * (…)"; `where`, `parameters`, the statement's bound values); a data exception's own message quotes the value it could
 * not take ("invalid input syntax for type uuid: "…""). So no other property is kept, and a PostgreSQL message only for
 * the classes whose message names no value (integrity constraints name the constraint, the values are in `detail`; a
 * lost connection, a timeout, a deadlock, an operator's shutdown name none), else the SQLSTATE stands for it. Any other
 * error keeps its message, bounded, with an email address in it (an SMTP server's reply) replaced. The stack keeps its
 * frames (`    at …` lines: where it was thrown, which an unhandled error needs) and none of its other lines: its
 * first repeats the message as it was, value and address included.
 */

/** SQLSTATE classes whose primary message quotes no value (PostgreSQL's errcodes, appendix A). */
const VALUELESS_MESSAGE_CLASSES = new Set(['08', '23', '25', '40', '53', '57', '58']);
const MAX_MESSAGE_LENGTH = 500;
const EMAIL_ADDRESS = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g;
/** A line of a V8 stack that names a frame: a function and a file, never a value. */
const FRAME = /^\s+at /;
/** How many causes deep an error is followed (a cause may be its own). */
const MAX_CAUSES = 3;

export interface LoggableError {
  type: string;
  code?: string;
  message: string;
  /** A PostgreSQL error's schema names: the constraint, table and column it is about (never a value). */
  constraint?: string;
  table?: string;
  column?: string;
  /** The stack's frames, one `    at …` line each, without the lines before them (the message, again). */
  stack?: string;
  /** The error it was caused by (`cause`), made loggable alike. */
  cause?: LoggableError;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A PostgreSQL error, as node-postgres makes it from the server's ErrorResponse: a severity and a SQLSTATE. */
function isDatabaseError(error: object): error is { code: string; severity: string } {
  const { code } = error as { code?: unknown };
  return 'severity' in error && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

export function loggableError(error: unknown, causes = MAX_CAUSES): LoggableError {
  const fields = fieldsOf(error);
  if (typeof error !== 'object' || error === null) return fields;
  const { stack, cause } = error as { stack?: unknown; cause?: unknown };
  const frames = typeof stack === 'string' ? stack.split('\n').filter((line) => FRAME.test(line)) : [];
  return {
    ...fields,
    ...(frames.length > 0 ? { stack: frames.join('\n') } : {}),
    ...(cause !== undefined && causes > 0 ? { cause: loggableError(cause, causes - 1) } : {}),
  };
}

function fieldsOf(error: unknown): LoggableError {
  if (typeof error !== 'object' || error === null) return { type: typeof error, message: 'a non-error was thrown' };
  const record = error as Record<string, unknown>;
  // By its class, as pino names an Error (node-postgres names every DatabaseError "error").
  const byClass = text(error.constructor?.name);
  const type = (byClass !== 'Object' ? byClass : undefined) ?? text(record.name) ?? 'Error';
  const message = text(record.message) ?? '';
  if (isDatabaseError(error)) {
    const code = error.code;
    return {
      type,
      code,
      message: VALUELESS_MESSAGE_CLASSES.has(code.slice(0, 2))
        ? message.slice(0, MAX_MESSAGE_LENGTH)
        : `PostgreSQL error ${code} (its message may quote a value, so it is not logged)`,
      constraint: text(record.constraint),
      table: text(record.table),
      column: text(record.column),
    };
  }
  const code = text(record.code) ?? (typeof record.code === 'number' ? String(record.code) : undefined);
  return { type, code, message: message.slice(0, MAX_MESSAGE_LENGTH).replace(EMAIL_ADDRESS, '[address]') };
}
