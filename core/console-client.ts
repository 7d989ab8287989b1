/**
 * How the web console tells the API whose request it sends: the browser's address in a header of its own, vouched for
 * by a proof only the console of this process holds (random, made when the console is built, never stored or
 * configured). The console always calls the API of its own process (service.ts webConsole), so the API believes the
 * address exactly when the proof matches, whatever TRUSTED_PROXIES says, and a caller that sends the headers without
 * the proof (or X-Forwarded-For from a peer that is not a trusted proxy) is counted as the peer it is.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** The browser's address as the console saw it. */
export const CONSOLE_CLIENT_HEADER = 'x-console-client';
/** The console's proof that it, not any caller on loopback, names the client. */
export const CONSOLE_PROOF_HEADER = 'x-console-proof';

/** A new proof, for one console. */
export const newConsoleProof = (): string => randomBytes(32).toString('base64url');

/** The client the console names in these headers when they carry its proof; undefined otherwise. */
export function vouchedClientOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  proof: string,
): string | undefined {
  const sent = headers[CONSOLE_PROOF_HEADER];
  const client = headers[CONSOLE_CLIENT_HEADER];
  if (typeof sent !== 'string' || typeof client !== 'string' || isIP(client) === 0) return undefined;
  const expected = Buffer.from(proof);
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected) ? client : undefined;
}

/** A console that vouches for the clients of its requests to the API it is mounted in (api/app.ts). */
export interface VouchingConsole {
  /** The browser a request of this console's comes from; undefined for any other request. */
  readonly vouchedClientOf?: (req: IncomingMessage) => string | undefined;
}
