/** The console's API types are generated from the API's own OpenAPI document; this fails when they are stale. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

describe('api-types', () => {
  const root = resolve(__dirname, '../../..');

  test('web/api-types.ts matches the OpenAPI document the API serves now (regenerate with npm run web:api-types)', async () => {
    const committed = readFileSync(resolve(root, 'web/api-types.ts'), 'utf8');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [require.resolve('tsx/cli'), 'web/generate-api-types.ts', '--stdout'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(committed).toContain('"/api/dashboard"');
    expect(stdout.length).toBeGreaterThan(10_000);
    expect(stdout === committed ? 'current' : 'stale: run npm run web:api-types').toBe('current');
  });
});
