// Entry point: read the environment, build the app, listen. Nothing else reads process.env.
import './process-warnings.js'; // first: before restify loads
import { errorFields } from './log.js';
import { ConfigError, loadConfig } from './config.js';
import { createApp } from './app.js';
import { KnowledgeLoadError } from '../knowledge/source.js';
import { KeptSecretError } from './storage/private-files.js';

function start(): void {
  let app;
  let config;
  try {
    config = loadConfig(process.env);
    app = createApp(config);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KnowledgeLoadError || err instanceof KeptSecretError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const { server, log } = app;
  // Node would print the error with its stack, whose message may quote a request. The error's name
  // goes to the log instead. A rejection nobody awaited is a bug, but no reason to stop serving; an
  // exception thrown to the top leaves state unknown, so the process ends and its supervisor restarts it.
  process.on('unhandledRejection', (reason) => log.error({ err: errorFields(reason) }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err: { name: err.name } }, 'uncaught exception: stopping');
    process.exit(1);
  });
  server.listen(config.PORT, () => log.info({ url: server.url }, 'Padoms is listening'));
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

start();
