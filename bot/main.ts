// Entry point: read the environment, build the app, listen. Nothing else reads process.env.
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
  server.listen(config.PORT, () => log.info({ url: server.url }, 'Padoms is listening'));
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

start();
