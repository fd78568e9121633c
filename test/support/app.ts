// The real app (same factory as production) listening on a loopback port, with a temporary DATA_DIR.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppDeps } from '../../bot/app.js';
import { testConfig, type Config } from '../../bot/config.js';
import { silentLogger } from '../../bot/log.js';

export interface RunningApp {
  app: App;
  origin: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startApp(overrides: Partial<Record<keyof Config, string>> = {}, deps: AppDeps = {}, host = '127.0.0.1'): Promise<RunningApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-test-'));
  const app = createApp(testConfig({ DATA_DIR: dataDir, ...overrides }), { log: silentLogger, ...deps });
  await app.ready;
  await new Promise<void>((resolve) => app.server.listen(0, host, () => resolve()));
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    origin: `http://127.0.0.1:${port}`,
    dataDir,
    async stop() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
