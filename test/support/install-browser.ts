/**
 * `npm test` runs this first: the console's end-to-end tests drive Debian's chromium (Playwright's own browser
 * download is not reachable here). Installs it with apt-get when it is missing and this user may (root, or sudo
 * without a password); otherwise says exactly what to run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

function install(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(
      `The console's browser tests need ${CHROMIUM_PATH}. Install it once: sudo apt-get install -y chromium`,
    );
  }
  console.log('chromium: installing with apt-get (Debian package) ...');
  const started = Date.now();
  const [program, ...prefix] = asRoot ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const apt = (...args: string[]) =>
    execFileSync(program, [...prefix, ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  apt('update');
  apt('install', '-y', '--no-install-recommends', 'chromium');
  console.log(`chromium: ${CHROMIUM_PATH} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

if (require.main === module) {
  try {
    install();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
