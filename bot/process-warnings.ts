// Node's process warnings, as JSON lines like the rest of the log instead of free text on stderr.
// Imported first by main.ts, before restify loads: restify's http-deceiver calls
// process.binding('http_parser') when it loads (DEP0111), harmless on the Node versions we run
// (restify → spdy → http-deceiver: https://github.com/restify/node-restify/issues/1876): that one is left out, every other warning
// is written with its name and code.
const KNOWN_HARMLESS = new Set(['DEP0111']);

process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code !== undefined && KNOWN_HARMLESS.has(warning.code)) return;
  // pino's shape (level 40 = warn), so log collectors read it like every other line.
  process.stderr.write(
    `${JSON.stringify({ level: 40, time: Date.now(), service: 'padoms', warning: { name: warning.name, code: warning.code }, msg: 'process warning' })}\n`,
  );
});
