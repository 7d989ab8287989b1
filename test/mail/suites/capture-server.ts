import { startMailCapture, type MailCapture } from '../../../mail/capture-server';
import { createMailTransport } from '../../../mail/transport';

describe('capture-server', () => {
  const from = 'Relief cases <no-reply@relief.example.org>';

  describe('embedded mail capture', () => {
    let capture: MailCapture | undefined;

    afterEach(async () => {
      await capture?.close();
      capture = undefined;
    });

    it('keeps each accepted message, parsed, by the time the sender hears OK', async () => {
      capture = await startMailCapture({ port: 0 });
      const mailer = createMailTransport({ smtpUrl: capture.url, from });
      await mailer.sendMail({
        to: 'ice@agency.example',
        subject: 'Hello',
        text: 'Body line',
        messageId: '<fixed@relief.example.org>',
      });

      expect(capture.messages()).toEqual([
        expect.objectContaining({
          seq: 1,
          messageId: '<fixed@relief.example.org>',
          from: expect.stringContaining('no-reply@relief.example.org') as unknown,
          to: ['ice@agency.example'],
          subject: 'Hello',
          text: expect.stringContaining('Body line') as unknown,
        }),
      ]);
    });

    it('keeps only the last N messages', async () => {
      capture = await startMailCapture({ port: 0, keep: 2 });
      const mailer = createMailTransport({ smtpUrl: capture.url, from });
      for (const subject of ['one', 'two', 'three'])
        await mailer.sendMail({ to: 'a@agency.example', subject, text: subject });

      expect(capture.messages().map((m) => [m.seq, m.subject])).toEqual([
        [2, 'two'],
        [3, 'three'],
      ]);
    });

    it('refuses connections while down, and accepts mail again on the same port when up', async () => {
      capture = await startMailCapture({ port: 0 });
      const mailer = createMailTransport({ smtpUrl: capture.url, from });

      await capture.setDown(true);
      await expect(mailer.sendMail({ to: 'a@agency.example', subject: 'during outage', text: 'x' })).rejects.toThrow(
        /ECONNREFUSED/,
      );
      expect(capture.messages()).toHaveLength(0);

      await capture.setDown(false);
      await mailer.sendMail({ to: 'a@agency.example', subject: 'after outage', text: 'x' });
      expect(capture.messages().map((m) => m.subject)).toEqual(['after outage']);
    });

    it('can be closed and started again on the same port', async () => {
      const first = await startMailCapture({ port: 0 });
      const mailer = createMailTransport({ smtpUrl: first.url, from });
      await first.close();
      await expect(
        mailer.sendMail({ to: 'a@agency.example', subject: 'nobody listening', text: 'x' }),
      ).rejects.toThrow();

      capture = await startMailCapture({ port: first.port });
      await mailer.sendMail({ to: 'a@agency.example', subject: 'back again', text: 'x' });
      expect(capture.messages().map((m) => m.subject)).toEqual(['back again']);
    });
  });
});
