/**
 * What an `Idempotency-Key` may be: 8 to 255 visible ASCII characters. In core/ because the API refuses any other
 * (api/idempotency.ts) and the console (web/), which may not reach api/, refuses a form whose hidden key is another
 * before sending it on as that header (a character outside Latin-1 cannot even be written in one).
 */
export const isIdempotencyKey = (key: unknown): key is string =>
  typeof key === 'string' && /^[\x21-\x7e]{8,255}$/.test(key);
