import { readdirSync, readFileSync } from 'node:fs';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from './support/temporal.js';

const dir = new URL('./histories/', import.meta.url);
const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));

describe('renewals recorded with earlier code (test/histories)', () => {
  it('cover every path a renewal can take', () => {
    expect(histories).toEqual(
      expect.arrayContaining([
        'attachments-deadline.json',
        'cancellation.json',
        'hardware-complete.json',
        'operators-queue.json',
        'rejection.json',
        'software-complete.json',
        'timers.json',
      ]),
    );
  });

  it.each(histories)('%s replays against the current workflow code', async (file) => {
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, load(file), file);
  });

  it('would catch a change that breaks running renewals', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: new URL('./fixtures/changed-workflow.ts', import.meta.url).pathname,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed }, load('cancellation.json')),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
