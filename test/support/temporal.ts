import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundle,
} from '@temporalio/worker';
import { temporalBinaries } from '../../lib/config.js';
import { searchAttributes } from '../../scripts/search-attributes.js';
import { workflowsPath } from '../../worker/worker.js';

// The SDK's own logs are noise in test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

function binary(kind: 'cli' | 'testServer'): string {
  const path = temporalBinaries()[kind];
  if (!path) throw new Error('Temporal binaries missing: run `node scripts/temporal-binaries.mjs`');
  return path;
}

/** A real Temporal dev server (the CLI's), on a free port, with okey's search attributes. */
export function startDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: binary('cli') },
      extraArgs: Object.entries(searchAttributes).flatMap(([name, type]) => [
        '--search-attribute',
        `${name}=${type}`,
      ]),
    },
  });
}

/**
 * The time-skipping test server: timers of days fire in milliseconds. It refuses unknown search
 * attributes like a real server, so okey's are registered through the operator service.
 */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: binary('testServer') } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(searchAttributes).map(([name, type]) => [name, indexedValueType[type]]),
    ),
  });
  return env;
}

/** temporal.api.enums.v1.IndexedValueType, which the SDK does not export by name. */
const indexedValueType = { Keyword: 2, Datetime: 6 } as const;

let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow code bundled once per test file. */
export const workflowBundle = () => {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  return bundle;
};

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message: string) => process.stderr.write(`${message}\n`),
};
