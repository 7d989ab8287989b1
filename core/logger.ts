import pino, { type Logger } from 'pino';
import { isLoggableError } from './loggable-error';
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
      // An error already cut down to what may be logged (core/loggable-error.ts) is written as it is: pino's own
      // serializer would add its stack, whose first line is the message left out, and name its type "Object".
      serializers: {
        err: (value: unknown) => (isLoggableError(value) ? value : pino.stdSerializers.err(value as Error)),
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
