import pino, { type Logger } from 'pino';
import { loggableError } from './loggable-error';
import { currentRequestId } from './request-context';

export type { Logger };

/**
 * Paths that may carry a survivor's personal data or a credential. Personal data is kept out of log calls by
 * design; this is the net under that rule, so a mistake logs "[redacted]" instead of a name.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.survivor',
  '*.name',
  '*.birthDate',
  '*.aNumber',
  '*.contact',
  // A sign-off's free-text note may name the survivor (it is sealed before it leaves the API).
  '*.note',
  '*.details.note',
  '*.password',
  '*.token',
  'survivor',
  'note',
  'password',
  'token',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Every error a line carries, cut down to what may be logged (core/loggable-error.ts), here and nowhere else:
      // pino's own serializer kept all of its properties, a PostgreSQL error's `detail` with the row's values included.
      serializers: { err: loggableError },
      hooks: {
        // A line logged without a message of its own takes its error's (pino's rule): the loggable one, then.
        logMethod(args, method) {
          const [first, second] = args as unknown[];
          const error = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
          if (typeof first !== 'object' || error === undefined || typeof second === 'string') {
            return method.apply(this, args);
          }
          return method.apply(this, [first, loggableError(error).message]);
        },
      },
      base: { service: 'relief-cases' },
      // The request this line is logged for, wherever it is logged: services, workers and activities alike.
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
    },
    options.destination,
  );
}
