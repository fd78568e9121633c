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

type PageSource = 'style-src' | 'img-src' | 'font-src';

/**
 * The CSP of our own HTML pages (the agency page, the staff console): scripts, styles and requests
 * from this origin only, nothing inline, never framed. A page may add sources to the style, image
 * and font directives (Web Chat needs data: images and fonts); the other directives are the same.
 */
export function pageContentSecurityPolicy(extra: Partial<Record<PageSource, string>> = {}): string {
  const withExtra = (directive: PageSource, base: string) => `${directive} ${base}${extra[directive] ? ` ${extra[directive]}` : ''}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    withExtra('style-src', "'self'"),
    withExtra('img-src', "'self'"),
    ...(extra['font-src'] ? [withExtra('font-src', "'self'")] : []),
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** What every HTML page of ours sends besides its CSP and referrer policy. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};
