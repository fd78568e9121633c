// A conversation's or a case's transcript as a file to download (HTML, or plain text with
// ?format=text), sent so that no script in it can run even if a browser renders it inline.
import type restify from 'restify';
import type { Note, TranscriptLine } from '../handover/repository.js';
import { transcriptHtml, transcriptText, type TranscriptMeta } from '../handover/transcript.js';

/** A downloaded transcript: no script can run even if a browser renders it inline. */
const DOWNLOAD_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

export function sendTranscript(
  req: restify.Request,
  res: restify.Response,
  baseName: string,
  meta: TranscriptMeta,
  lines: readonly TranscriptLine[],
  notes: readonly Note[],
): void {
  const format = (req.query as Record<string, unknown> | undefined)?.['format'] === 'text' ? 'text' : 'html';
  const body = Buffer.from(format === 'html' ? transcriptHtml(meta, lines, notes) : transcriptText(meta, lines, notes), 'utf8');
  res.writeHead(200, {
    'Content-Type': format === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    'Content-Disposition': `attachment; filename="${baseName}.${format === 'html' ? 'html' : 'txt'}"`,
    ...DOWNLOAD_HEADERS,
  });
  res.end(body);
}
