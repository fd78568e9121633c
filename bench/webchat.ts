// `npm run bench:webchat`: what a citizen sees. The real app (SQLite, loopback) and the real widget in
// Debian's headless Chromium: for each question, the time from pressing Enter until the bot's reply
// is on the screen, with the widget reading replies from the WebSocket stream (as shipped) and, for
// comparison, polling (Web Chat's default interval: one second). One citizen, no load: the server
// side of a turn takes a few milliseconds, so what remains is how the reply travels.
// Options: --rounds 3 (each question that many times per mode).
import { startApp } from '../test/support/app.js';
import { hasChromium, launchBrowser } from '../test/support/chromium.js';

const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 3;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds: a whole number, at least 1');
/** Ordinary questions of the demo agency: answers, a referral, small talk. */
const QUESTIONS = [
  'Kā atsaukt piekrišanu datu apstrādei?',
  'Kur iesniegt sūdzību?',
  'Vai kaimiņš drīkst filmēt manu pagalmu?',
  'Kāds ir jūsu tālrunis?',
  'Kā pieprasīt savus datus no uzņēmuma?',
  'Kur jāvēršas par nodokļu pārmaksu?',
  'Paldies!',
];
/** Pause between questions, so each reply is measured on its own. */
const PAUSE_MS = 300;

if (!hasChromium) {
  console.error("bench:webchat needs Debian's chromium (/usr/bin/chromium): apt-get install -y chromium");
  process.exit(1);
}

const running = await startApp();
const browser = await launchBrowser();
const results: { mode: string; ms: number[] }[] = [];
try {
  for (const mode of ['stream', 'polling'] as const) {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    // The shipped widget streams; for the comparison its one option is turned off on the way in.
    if (mode === 'polling') {
      await page.route('**/widget.js', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: (await response.text()).replace('webSocket: true', 'webSocket: false') });
      });
    }
    await page.goto(`${running.origin}/`);
    await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
    const dialog = page.getByRole('dialog', { name: 'Čatbots' });
    // Web Chat's transcript: one element per activity shown.
    const items = dialog.locator('.webchat__basic-transcript__activity');
    await items.first().waitFor({ timeout: 20_000 }); // the greeting
    const box = dialog.getByRole('textbox');
    const ms: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const question of QUESTIONS) {
        const before = await items.count();
        await box.fill(question);
        const sent = Date.now();
        await box.press('Enter');
        // The citizen's own message, then at least one reply.
        await items.nth(before + 1).waitFor({ timeout: 20_000 });
        ms.push(Date.now() - sent);
        await page.waitForTimeout(PAUSE_MS);
      }
    }
    results.push({ mode, ms });
    await context.close();
  }
} finally {
  await browser.close();
  await running.stop();
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
console.log(`Web Chat in headless Chromium, one citizen, ${QUESTIONS.length} questions × ${ROUNDS}: Enter → reply on screen (ms)`);
for (const { mode, ms } of results) {
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(`${mode.padEnd(8)} median ${percentile(sorted, 0.5)}  p90 ${percentile(sorted, 0.9)}  max ${sorted.at(-1)}  (n = ${ms.length})`);
}
