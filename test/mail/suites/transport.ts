/**
 * The SMTP transport against real SMTP servers (smtp-server) that offer no STARTTLS: what a machine on the network
 * path sees of a login over smtp:// when it strips STARTTLS from the server's EHLO answer.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createMailTransport } from '../../../mail/transport';

describe('transport', () => {
  const from = 'Relief cases <no-reply@relief.example.org>';

  /** An SMTP server without TLS that takes any login in plain text, noting each login and each email it received. */
  async function serverWithoutTls() {
    const logins: string[] = [];
    const emails: string[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      onAuth(auth, _session, done) {
        logins.push(`${auth.username}:${auth.password ?? ''}`);
        done(null, { user: auth.username });
      },
      onData(stream, session, done) {
        stream.resume();
        stream.on('end', () => {
          emails.push(session.envelope.rcptTo.map((to) => to.address).join(','));
          done();
        });
      },
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.server.address() as AddressInfo;
    return { port, logins, emails, close: () => new Promise<void>((closed) => server.close(closed)) };
  }

  let server: Awaited<ReturnType<typeof serverWithoutTls>>;

  beforeEach(async () => {
    server = await serverWithoutTls();
  });

  afterEach(async () => {
    await server.close();
  });

  const email = { to: 'ice@agency.example', subject: 'A step is waiting', text: 'Open the console.' };

  test('a login over smtp:// is never sent to a server that offers no STARTTLS, nor the email', async () => {
    const mailer = createMailTransport({ smtpUrl: `smtp://relief:smtp-secret@127.0.0.1:${server.port}`, from });
    await expect(mailer.sendMail(email)).rejects.toMatchObject({ code: 'ETLS' });
    expect(server.logins).toEqual([]);
    expect(server.emails).toEqual([]);
  });

  test('smtp:// without a login still sends in plain text where the server offers no STARTTLS (a relay, the capture)', async () => {
    const mailer = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${server.port}`, from });
    await mailer.sendMail(email);
    expect(server.emails).toEqual(['ice@agency.example']);
  });

  test('?requireTLS=false in SMTP_URL sends a login in plain text, as asked, for a server on a trusted network', async () => {
    const mailer = createMailTransport({
      smtpUrl: `smtp://relief:smtp-secret@127.0.0.1:${server.port}?requireTLS=false`,
      from,
    });
    await mailer.sendMail(email);
    expect(server.logins).toEqual(['relief:smtp-secret']);
    expect(server.emails).toEqual(['ice@agency.example']);
  });
});
