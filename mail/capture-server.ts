/**
 * The embedded mail capture: a real SMTP server on loopback that keeps the last messages in memory, so the default
 * mode needs no mail infrastructure and a developer can read what would have been sent. Tests use it as the real
 * SMTP server, including to simulate an outage.
 */
import type { AddressInfo } from 'node:net';
import type { AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

interface CapturedMessage {
  /** Position in arrival order, from 1; stays unique across `clear()`. */
  seq: number;
  messageId: string | null;
  from: string;
  /** Envelope recipients, as the sender addressed them over SMTP. */
  to: string[];
  subject: string;
  text: string;
  receivedAt: string;
}

export interface MailCaptureOptions {
  /** 0 lets the OS pick a free port (tests); the service passes SMTP_CAPTURE_PORT. */
  port?: number;
  host?: string;
  /** How many messages to keep; older ones are dropped first. */
  keep?: number;
}

export interface MailCapture {
  readonly host: string;
  readonly port: number;
  /** smtp://host:port, ready for `createMailTransport`. */
  readonly url: string;
  /** Captured messages, oldest first. */
  messages(): CapturedMessage[];
  clear(): void;
  /**
   * While down, the server does not listen: a connection is refused at once, as when a mail server is unreachable,
   * so senders see an outage (and retry) rather than a rejected message. Resolves once the change took effect.
   */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

function addressesOf(field: AddressObject | AddressObject[] | undefined): string {
  if (!field) return '';
  return (Array.isArray(field) ? field : [field]).map((address) => address.text).join(', ');
}

export async function startMailCapture(options: MailCaptureOptions = {}): Promise<MailCapture> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 200;
  let captured: CapturedMessage[] = [];
  let seq = 0;

  const server = new SMTPServer({
    // Loopback only, no credentials to check, no TLS to negotiate: a development capture, not a relay.
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: MAX_MESSAGE_BYTES,
    // Short, so close() in tests returns promptly even if a client keeps its connection.
    closeTimeout: 1_000,
    // Loopback clients have no name worth a DNS query, and the greeting should not wait for one.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      // The message is stored before the client hears "250 OK", so a sender that saw success finds it here.
      // mailparser loads when the first message arrives (about 0.08 s of CPU): many tests start a capture that never
      // receives one. The stream waits, buffered, meanwhile.
      import('mailparser')
        .then(({ simpleParser }) => simpleParser(stream))
        .then((parsed) => {
          seq += 1;
          captured.push({
            seq,
            messageId: parsed.messageId ?? null,
            from: addressesOf(parsed.from),
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            receivedAt: new Date().toISOString(),
          });
          if (captured.length > keep) captured = captured.slice(-keep);
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });

  // SMTPServer re-emits its listener's errors (a port in use) and every client connection's on itself, where an
  // error without a listener ends the process. One fails the (re)start under way; once listening, failing a settled
  // start is a no-op, so a client dropping its connection costs the capture nothing.
  let failStart: (error: Error) => void = () => undefined;
  server.on('error', (error: Error) => failStart(error));
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      failStart = reject;
      server.listen(port, host, () => resolve());
    });
  await listen(options.port ?? 0);
  const { port } = server.server.address() as AddressInfo;

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    messages: () => captured.map((message) => ({ ...message, to: [...message.to] })),
    clear: () => {
      captured = [];
    },
    setDown: async (down) => {
      if (down === !server.server.listening) return;
      // Stops accepting at once; connections already open finish their message.
      if (down) server.server.close();
      else await listen(port);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
