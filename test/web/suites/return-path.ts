/** Where the console sends someone back after signing in (web/session.ts): its own pages only. */
import { returnPath, signInReturningTo } from '../../../web/session';

describe('return-path', () => {
  test.each(['/cases/abc/steps/cp_request-1', '/steps?status=overdue&sort=dueAt', '/'])('comes back to %s', (path) => {
    expect(returnPath(path)).toBe(path);
  });

  test.each([
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example/',
    'cases',
    '/sign-in?next=/x',
    '/sign-out',
    '/cases\n/x',
    `/${'a'.repeat(2001)}`,
    undefined,
  ])('never to %j', (path) => {
    expect(returnPath(path)).toBeUndefined();
  });

  test('the sign-in address carries the notice and the page, not the start page', () => {
    expect(signInReturningTo('/steps?status=overdue', 'expired')).toBe(
      '/sign-in?notice=expired&next=%2Fsteps%3Fstatus%3Doverdue',
    );
    expect(signInReturningTo('/')).toBe('/sign-in');
    expect(signInReturningTo('//evil.example/', 'expired')).toBe('/sign-in?notice=expired');
  });
});
