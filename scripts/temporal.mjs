#!/usr/bin/env node
// `npm run temporal -- <args>`: the project's pinned Temporal CLI, e.g.
//   npm run temporal -- workflow list --query "OkeyStatus = 'awaiting_approval'"
// It talks to TEMPORAL_ADDRESS (localhost:7233 unless set), like okey itself.

import { spawnSync } from 'node:child_process';
import { resolveTemporalBinaries } from './temporal-binaries.mjs';

const { cli } = resolveTemporalBinaries();
const res = spawnSync(cli, process.argv.slice(2), {
  stdio: 'inherit',
  env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' },
});
process.exit(res.status ?? 1);
