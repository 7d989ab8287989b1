/**
 * Reading back every place the service writes to, as text, so a test can look for personal data (or anything
 * derived from it) there: every row of every table, a case's Temporal history as the server stores it, log lines.
 */
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { REQUEST_ID_HEADER } from '../../workflows/request-id';
import { workflowIdOf } from '../../workflows/contract';
import type { Stack } from './stack';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A date (YYYY-MM-DD) as ISO, US, compact and in words ("March 15, 2027"), lower case: the needles of one date. */
export function dateForms(date: string): string[] {
  const [year, month, day] = date.split('-');
  return [
    date,
    `${month}/${day}/${year}`,
    `${year}${month}${day}`,
    `${MONTHS[Number(month) - 1]} ${Number(day)}, ${year}`,
    // As the console and the emails write a day (core/people-dates.ts): "21 Jun 2027".
    `${Number(day)} ${MONTHS[Number(month) - 1]!.slice(0, 3)} ${year}`,
  ].map((form) => form.toLowerCase());
}

/**
 * The needles found in a text, ignoring case; needles are given in lower case. A word shorter than five letters counts
 * only standing alone, not inside other letters or digits: "wei" turns up by chance in a password hash's base64 (one
 * CI run in many found it in the users table), while a name leaked into text stands between spaces or quotes.
 */
export function needlesIn(needles: readonly string[], text: string): string[] {
  const lower = text.toLowerCase();
  return needles.filter((needle) =>
    needle.length >= 5 || !/^\p{L}+$/u.test(needle)
      ? lower.includes(needle)
      : new RegExp(`(?<![\\p{L}\\p{N}])${needle}(?![\\p{L}\\p{N}])`, 'u').test(lower),
  );
}

/**
 * A text with its random parts put aside: ids (UUIDs: cases, deliveries, requests), references made from a case id
 * (RC-2026-9673A7B8) and the log's clock and timings. Their digits spell any short number now and then (a CI run
 * found the phone number's "4411" in a delivery id), so a check that a birth year or a number's digits stayed out of
 * a text reads the text without them.
 */
export function withoutRandomParts(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\bRC-\d{4}-[0-9A-F]{8}\b/g, '<reference>')
    .replace(/"(time|responseTime)":[\d.]+/g, '"$1":<n>');
}

/** A protobuf Timestamp or Duration: `seconds` (a Long or a number) and `nanos`. */
function asTimestampMs(value: object): number | undefined {
  if (!('seconds' in value) || !('nanos' in value)) return undefined;
  const seconds = Number(String(value.seconds));
  return Number.isFinite(seconds) ? seconds * 1000 + Math.floor(Number(value.nanos ?? 0) / 1e6) : undefined;
}

/**
 * A Temporal history as text: every byte array (a payload's data and metadata) as its raw bytes, since the history's
 * own toJSON would show them as base64 in which no plain needle could be found, and every timestamp as an ISO
 * instant, as an operator reading the events sees when a timer fired. Also lists each payload's encoding.
 */
export function historyText(history: unknown): { text: string; encodings: { path: string; encoding: string }[] } {
  const parts: string[] = [];
  const encodings: { path: string; encoding: string }[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value instanceof Uint8Array) {
      const bytes = Buffer.from(value).toString('latin1');
      if (path.endsWith('.metadata.encoding')) encodings.push({ path, encoding: bytes });
      parts.push(`${path}=${bytes}`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`));
    } else if (value !== null && typeof value === 'object') {
      const ms = asTimestampMs(value);
      if (ms !== undefined) parts.push(`${path}=${new Date(ms).toISOString()}`);
      else for (const [name, field] of Object.entries(value)) walk(field, `${path}.${name}`);
    } else if (value !== undefined && value !== null) {
      parts.push(`${path}=${JSON.stringify(value)}`);
    }
  };
  walk(history, 'history');
  return { text: parts.join('\n'), encodings };
}

/**
 * Payloads the server must read, so no codec touches them: search attributes (indexed for the lists) and the SDK's
 * patch markers (a patch id); and the request id's header, which the codec does not see (headers are not sealed) and
 * which holds a random token (workflows/request-id.ts). They are scanned like the rest; every other payload must be
 * sealed.
 */
const SERVER_READABLE = new RegExp(
  `\\.(searchAttributes\\.indexedFields|markerRecordedEventAttributes|header\\.fields\\.${REQUEST_ID_HEADER})\\.`,
);
export const unsealedPayloads = (encodings: { path: string; encoding: string }[]) =>
  encodings.filter(({ path, encoding }) => encoding !== 'binary/encrypted' && !SERVER_READABLE.test(path));

/** The case's history as stored: payloads as the server holds them (no codec). */
export async function storedHistory(on: Stack, caseId: string): Promise<ReturnType<typeof historyText>> {
  const raw = new Client({ connection: on.env.connection, namespace: on.env.namespace ?? 'default' });
  return historyText(await raw.workflow.getHandle(workflowIdOf(caseId)).fetchHistory());
}

/**
 * Every row of every table the service can read, as JSON text, without the one column that may hold the identity.
 * A byte column (bytea: a sealed identity, a document's sealed content or name) is read as its raw bytes, not the hex
 * PostgreSQL would print: plain text stored there (an unsealed PDF naming the survivor) is then found like any other.
 */
export async function databaseRows(on: Stack): Promise<{ table: string; text: string }[]> {
  const { rows: tables } = await on.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const found: { table: string; text: string }[] = [];
  for (const { table_name: table } of tables) {
    const { rows } = await on.pool.query<{ text: string }>(
      `SELECT (to_jsonb(t) - 'identity_ciphertext')::text AS text FROM "${table}" t`,
    );
    found.push(...rows.map((row) => ({ table, text: row.text })));
  }
  const { rows: byteColumns } = await on.pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND data_type = 'bytea' AND column_name <> 'identity_ciphertext'`,
  );
  for (const { table_name: table, column_name: column } of byteColumns) {
    const { rows } = await on.pool.query<{ bytes: Buffer | null }>(`SELECT "${column}" AS bytes FROM "${table}"`);
    found.push(...rows.map((row) => ({ table, text: `${column}=${row.bytes?.toString('latin1') ?? ''}` })));
  }
  return found;
}

/** A pino destination that keeps every line. */
export function logCapture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.length > 0),
      );
      done();
    },
  });
  return { lines, destination };
}
