/** What a browser sends back with a console form besides its fields. */

/**
 * The cookies a console page set, as `name=value` pairs: the form on it is accepted only with its CSRF cookie, which
 * a browser would send along.
 */
export function cookiesSetBy(page: { headers: Record<string, unknown> }): string[] {
  const lines = page.headers['set-cookie'];
  return Array.isArray(lines) ? lines.map((line) => String(line).split(';')[0]!) : [];
}
