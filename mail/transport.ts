import nodemailer, { type Transporter } from 'nodemailer';

export interface MailTransportOptions {
  /**
   * smtp://user:pass@host:587 (STARTTLS required, since it carries a login), smtp://host:25 (STARTTLS when offered)
   * or smtps://user:pass@host:465 (TLS from the start).
   */
  smtpUrl: string;
  /** The sender of every message, e.g. "Relief cases <no-reply@relief.example.org>". */
  from: string;
}

/**
 * Whether `smtpUrl` gives a login to send over smtp://, where TLS comes from STARTTLS. Offered only when the server
 * says so in its EHLO answer, a machine on the network path that strips that word from it gets the login (and every
 * email) in plain text: such a URL requires STARTTLS, so the attempt fails rather than send them. `?requireTLS=false`
 * in the URL, which nodemailer reads after these options, turns it off for a server on a trusted network without TLS.
 */
function loginNeedsStartTls(smtpUrl: string): boolean {
  const url = new URL(smtpUrl);
  return url.protocol === 'smtp:' && url.username !== '';
}

/**
 * One SMTP connection per message, no pool: reminders are rare, and a fresh connection after an outage needs no
 * reconnection logic. Timeouts stay under the notify activity's start-to-close timeout so a hung server fails the
 * attempt (and Temporal retries it) instead of the attempt being abandoned mid-send.
 */
export function createMailTransport({ smtpUrl, from }: MailTransportOptions): Transporter {
  return nodemailer.createTransport(
    {
      url: smtpUrl,
      requireTLS: loginNeedsStartTls(smtpUrl),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    },
    { from },
  );
}
