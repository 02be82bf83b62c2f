import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type Okey, startOkey } from './okey.js';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const screenshots = new URL('../../test-results/screenshots/', import.meta.url);

/** Debian's Chromium, headless, with everything that would reach the network turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A browser of its own for one person, signed in through the portal's sign-in page. */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  name: string,
  options: { path?: string; javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  const page = await context.newPage();
  await page.goto(options.path ?? '/');
  await page.getByRole('button', { name, exact: true }).click();
  await page.waitForLoadState();
  return { context, page };
}

export interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page; returns the serious and critical violations, with their targets.
 * The page's HTML is replayed, its own scripts off, in a page of the same browser that runs the
 * audit: a page without JavaScript cannot run axe, and okey's CSP rightly refuses the inline
 * script that would inject it (the replay is served without that header).
 */
export async function accessibilityProblems(page: Page): Promise<Violation[]> {
  const browser = page.context().browser();
  if (!browser) throw new Error('no browser to replay the page in');
  const replay = await browser.newPage();
  try {
    const html = await page.content();
    await replay.route('**/*.js', (route) => route.abort());
    await replay.route(page.url(), (route) =>
      route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }),
    );
    await replay.goto(page.url());
    await replay.addScriptTag({ content: axeSource });
    return await runAxe(replay);
  } finally {
    await replay.close();
  }
}

function runAxe(page: Page): Promise<Violation[]> {
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected at run time, in the page
    const page = globalThis as any;
    const result = await page.axe.run(page.document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return result.violations
      .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: { id: string; impact: string; help: string; nodes: { target: string[] }[] }) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}

/** A full-page screenshot in test-results/screenshots/, for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, screenshots).pathname, fullPage: true });
}

/** Every page gets both: a screenshot to look at, and no serious or critical axe violation. */
export async function checkPage(page: Page, name: string): Promise<Violation[]> {
  await screenshot(page, name);
  return accessibilityProblems(page);
}

/** Reloads until the page shows `text`: what signals and webhooks change arrives later. */
export async function reloadUntil(page: Page, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.getByText(text).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`"${text}" never appeared on ${page.url()}`);
    await new Promise((r) => setTimeout(r, 250));
    await page.reload();
  }
}

/**
 * okey (a real server, see startOkey) and a Chromium for one test file: started before its
 * tests, stopped after them.
 */
export function usePortal(options?: Parameters<typeof startOkey>[0]) {
  const portal = {} as { okey: Okey; browser: Browser };
  beforeAll(async () => {
    [portal.okey, portal.browser] = await Promise.all([startOkey(options), launchChromium()]);
  });
  afterAll(async () => {
    await portal.browser?.close();
    await portal.okey?.stop();
  });
  return portal;
}
