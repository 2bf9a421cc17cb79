import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The distribution's Chromium, installed by `scripts/infra/chromium.sh ensure` (npm downloads no browser). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where failing tests leave a screenshot (ignored by git). */
export const SCREENSHOT_DIR = join(__dirname, '__screenshots__');

/**
 * A headless Chromium for the browser tests. Playwright gives every launch a
 * fresh temporary user-data-dir (and removes it on close), so no profile,
 * cookie or cache survives from one run to the next. A missing Chromium is a
 * failure with the fix in the message, never a skip.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: run \`scripts/infra/chromium.sh ensure\` (as root) and rerun the tests`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
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

/**
 * Runs `body`; if it throws, saves a full-page screenshot of `page()` to
 * __screenshots__/<name>-<time>.png and rethrows with the path appended.
 */
export async function screenshotOnFailure<T>(
  name: string,
  page: () => Page | undefined,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const current = page();
    if (current !== undefined && !current.isClosed()) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const file = join(SCREENSHOT_DIR, `${name}-${Date.now()}.png`);
      const saved = await current.screenshot({ path: file, fullPage: true }).then(
        () => true,
        () => false,
      );
      if (saved && err instanceof Error) err.message += `\n(screenshot: ${file})`;
    }
    throw err;
  }
}
