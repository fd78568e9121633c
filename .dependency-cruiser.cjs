// The layers of docs/architecture.md as rules (`npm run check:deps`, in CI). From the bottom up:
// knowledge, storage (below it bot/records.ts, what a turn records), the conversation (dialogs), the
// staff side, the channels, the composition (bot/app.ts). A layer may import those below it, never
// one above; no import cycles at all, type imports included. There are no known crossings: every
// rule holds without exceptions.
const CHANNELS = '^bot/(directline|messenger|web)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle ties modules that should be understood one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'knowledge-knows-no-bot',
      comment: 'knowledge/ (schema, matching, decisions) knows nothing of bots, channels or storage.',
      severity: 'error',
      from: { path: '^knowledge/' },
      to: { path: '^(bot|dialogs)/' },
    },
    {
      name: 'records-contract-alone',
      comment: 'bot/records.ts, what a turn records, is a contract between the conversation and storage: it knows neither.',
      severity: 'error',
      from: { path: '^bot/records\\.ts$' },
      to: { path: '^(bot|dialogs|knowledge)/', pathNot: '^knowledge/schema\\.ts$' },
    },
    {
      name: 'storage-at-the-bottom',
      comment: 'Storage leans only on itself, the records it implements (bot/records.ts), the logger, redaction and the knowledge schema.',
      severity: 'error',
      from: { path: '^bot/storage/' },
      to: { path: '^(bot|dialogs|knowledge)/', pathNot: '^(bot/storage/|bot/records\\.ts$|bot/log\\.ts$|bot/privacy/|knowledge/schema\\.ts$)' },
    },
    {
      name: 'dialogs-without-storage-or-channels',
      comment:
        'What a turn may do to storage and delivery comes in through its dependencies; the records it writes are described by bot/records.ts, below storage.',
      severity: 'error',
      from: { path: '^dialogs/' },
      to: { path: ['^bot/storage/', CHANNELS, '^bot/staff/', '^bot/http/', '^bot/app\\.ts$'] },
    },
    {
      name: 'staff-side-without-channels',
      comment: 'The handover service and the console reach citizens through the app, never a channel directly.',
      severity: 'error',
      from: { path: '^bot/(handover|staff)/' },
      to: { path: CHANNELS },
    },
    {
      name: 'channels-apart',
      comment: 'A channel does not know another.',
      severity: 'error',
      from: { path: '^bot/(directline|messenger|web)/' },
      to: { path: CHANNELS, pathNot: '^bot/$1/' },
    },
    {
      name: 'console-above-handover',
      comment: 'The console (bot/staff) uses the handover service; the service does not know its console.',
      severity: 'error',
      from: { path: '^bot/handover/' },
      to: { path: '^bot/staff/' },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for tools to parse with; swc parses the sources.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
