// The restify server shared by every route: body limits, JSON errors, no framework banner.
import restify from 'restify';
import type { Logger } from './log.js';

export interface ServerOptions {
  maxBodyBytes: number;
  log: Logger;
}

export function createServer({ maxBodyBytes, log }: ServerOptions): restify.Server {
  const server = restify.createServer({ name: 'padoms', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  // Oversize bodies get 413 and malformed JSON 400, both with restify's JSON error body.
  server.use(restify.plugins.bodyParser({ maxBodySize: maxBodyBytes, mapParams: false, mapFiles: false }));
  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, next: () => void) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) log.error({ err: { name: err.name, code: (err as { code?: string }).code }, path: req.getPath() }, 'request failed');
    next();
  });
  return server;
}
