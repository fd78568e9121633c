// Debian's Chromium driven by playwright-core (never `playwright install`, which downloads a
// browser). Apart from the page helpers in browser.ts, which need the DOM's types, so that the
// benchmarks (compiled with the project) can launch it too.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** False where Chromium is missing (`apt-get install -y chromium`); tests skip with a reason. */
export const hasChromium = existsSync(CHROMIUM_PATH);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}
