import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The production worker (`worker/main.ts`) in a child process of its own, so that a test can
 * kill it for real. Resolves once it logged that it started; `stderr` is kept for failures.
 */
export async function spawnWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 60_000);
    lines.on('line', (line) => {
      if (line.includes('"msg":"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${how}) before starting: ${stderr}`));
    });
  });
  return {
    pid: child.pid as number,
    exited,
    kill: (signal: NodeJS.Signals) => child.kill(signal),
    stderr: () => stderr,
  };
}
