import nodemailer, { type Transporter } from 'nodemailer';

export interface MailTransportOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465 (TLS from the start). */
  smtpUrl: string;
  /** The sender of every message, e.g. "Relief cases <no-reply@relief.example.org>". */
  from: string;
}

/**
 * One SMTP connection per message, no pool: reminders are rare, and a fresh connection after an outage needs no
 * reconnection logic. Timeouts stay under the notify activity's start-to-close timeout so a hung server fails the
 * attempt (and Temporal retries it) instead of the attempt being abandoned mid-send.
 */
export function createMailTransport({ smtpUrl, from }: MailTransportOptions): Transporter {
  return nodemailer.createTransport(
    { url: smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 },
    { from },
  );
}
