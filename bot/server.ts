// The restify server shared by every route: body limits, JSON errors, no framework banner.
import restify from 'restify';
import { errorFields, type Logger } from './log.js';
import { sendFailure } from './http/errors.js';

export interface ServerOptions {
  maxBodyBytes: number;
  log: Logger;
  /** Routes that take a file as the raw body (the studio's import): their own type and limit, read by the route. */
  uploads?: readonly UploadRoute[];
}

/**
 * A POST whose body is a file, sent as it is (`application/octet-stream`), up to `maxBytes`. The
 * body parser leaves such a body unread; the route reads it within the limit (bot/http/upload.ts).
 */
export interface UploadRoute {
  path: RegExp;
  maxBytes: number;
}

export function createServer({ maxBodyBytes, log, uploads = [] }: ServerOptions): restify.Server {
  const server = restify.createServer({ name: 'padoms', handleUncaughtExceptions: false });
  const uploadOf = (req: restify.Request): UploadRoute | undefined => (req.method === 'POST' ? uploads.find((u) => u.path.test(req.getPath())) : undefined);
  server.pre(jsonBodiesOnly(uploadOf));
  server.pre(announcedBodyWithin(maxBodyBytes, uploadOf));
  server.use(restify.plugins.queryParser({ mapParams: false }));
  // Oversize bodies get 413 and malformed JSON 400, both with restify's JSON error body.
  server.use(restify.plugins.bodyParser({ maxBodySize: maxBodyBytes, mapParams: false, mapFiles: false }));
  server.use(shallowBodiesOnly);
  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, next: () => void) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) log.error({ err: errorFields(err), path: req.getPath() }, 'request failed');
    next();
  });
  return server;
}

/**
 * Every endpoint we serve reads JSON, but an upload route its raw file. restify's body parser would
 * otherwise accept multipart bodies (written to disk, past the size limit) and count compressed
 * bodies before inflating them.
 * Direct Line routes apply the content-type rule with their own error codes (bot/directline/routes.ts).
 */
function jsonBodiesOnly(uploadOf: (req: restify.Request) => UploadRoute | undefined): restify.RequestHandler {
  return function jsonBodiesOnlyHere(req, res, next) {
    // Any request, with a body or not: restify starts inflating on the header alone, and an empty
    // gzip stream then throws outside every handler ("unexpected end of file"), stopping the process.
    if (req.header('content-encoding', 'identity').toLowerCase() !== 'identity') {
      sendFailure(res, { status: 415, code: 'UnsupportedMediaType', message: 'compressed request bodies are not accepted' });
      return next(false);
    }
    if (req.getPath().startsWith('/v3/directline')) return next();
    const type = req.header('content-type', '').toLowerCase();
    if (uploadOf(req)) {
      if (/^application\/octet-stream\s*(;|$)/.test(type)) return next();
      sendFailure(res, { status: 415, code: 'UnsupportedMediaType', message: 'a file is sent as the body itself, as application/octet-stream' });
      return next(false);
    }
    const hasBody = Number(req.header('content-length', '0')) > 0 || req.header('transfer-encoding', '') !== '';
    if (!hasBody) return next();
    if (/^application\/([a-z.+-]*\+)?json\b/.test(type)) return next();
    sendFailure(res, { status: 415, code: 'UnsupportedMediaType', message: 'request bodies must be uncompressed application/json' });
    return next(false);
  };
}

/**
 * A body announced larger than the limit is refused at once, before it arrives (the body parser
 * would read up to the limit first), and the connection is closed so the rest is never read.
 */
function announcedBodyWithin(maxBodyBytes: number, uploadOf: (req: restify.Request) => UploadRoute | undefined): restify.RequestHandler {
  return function announcedBodyWithinLimit(req, res, next) {
    const announced = Number(req.header('content-length', '0'));
    const limit = uploadOf(req)?.maxBytes ?? maxBodyBytes;
    if (!(announced > limit)) return next();
    res.setHeader('Connection', 'close');
    sendFailure(res, { status: 413, code: 'PayloadTooLarge', message: `request body exceeds the limit of ${limit} bytes` });
    return next(false);
  };
}

/** Deeper than any activity, form or webhook we read; recursion over a deeper value could overflow the stack. */
export const MAX_BODY_DEPTH = 32;

function shallowBodiesOnly(req: restify.Request, res: restify.Response, next: restify.Next): void {
  if (depthExceeds(req.body, MAX_BODY_DEPTH)) {
    sendFailure(res, { status: 400, code: 'BadArgument', message: `request bodies may nest at most ${MAX_BODY_DEPTH} levels` });
    return next(false);
  }
  return next();
}

/** Whether a parsed JSON value nests deeper than `limit` objects or arrays; iterative, so any depth is safe to ask about. */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
