// `npm run chat`: talk to the same bot in the terminal. Buttons are shown numbered; type the number
// to press one.
import { createInterface } from 'node:readline/promises';
import type { Activity, CardAction } from 'botbuilder';
import { TestAdapter } from 'botbuilder';
import { loadConfig } from '../config.js';
import { createApp } from '../app.js';
import { createLogger } from '../log.js';
import { replyText } from './in-process.js';

async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const app = createApp(config, { storage: 'memory', log: createLogger(config.LOG_LEVEL, 2) });
  let buttons: CardAction[] = [];
  const adapter = new TestAdapter(async (context) => {
    context.onSendActivities(async (_c, activities: Partial<Activity>[], next) => {
      print(activities);
      return next();
    });
    await app.logic(context);
  });
  const print = (activities: Partial<Activity>[]) => {
    const text = replyText(activities);
    if (text) console.log(`\n🤖 ${text.replace(/\n/g, '\n   ')}`);
    const actions = activities.flatMap((a) => a.suggestedActions?.actions ?? []);
    if (actions.length) {
      buttons = actions;
      console.log(actions.map((b, i) => `   [${i + 1}] ${b.title}`).join('\n'));
    }
  };
  await adapter.processActivity({ type: 'conversationUpdate', membersAdded: [{ id: 'user', name: 'user' }] });
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  rl.on('close', () => void app.close().then(() => process.exit(0)));
  for (;;) {
    const line = (await rl.question('\n> ')).trim();
    if (line === '/quit' || line === '/exit') break;
    const pressed = /^\d+$/.test(line) ? buttons[Number(line) - 1] : undefined;
    if (pressed) await adapter.processActivity({ type: 'message', text: String(pressed.text ?? pressed.title), value: pressed.value });
    else await adapter.processActivity({ type: 'message', text: line });
  }
  rl.close();
}

void main();
