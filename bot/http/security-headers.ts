// Security headers on every response, errors and 404s included. The defaults suit JSON/API
// responses; routes that serve pages or embeddable assets set their own (a header passed to
// writeHead replaces the one set here, see bot/web/routes.ts).
import type restify from 'restify';

export const DEFAULT_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // An API response is never a document to render or frame.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

export function securityHeaders(headers: Readonly<Record<string, string>> = DEFAULT_SECURITY_HEADERS): restify.RequestHandler {
  return function setSecurityHeaders(_req, res, next) {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return next();
  };
}
