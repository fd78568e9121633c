// The raw body of an upload route (bot/server.ts UploadRoute), read by the route itself within its
// limit: counted as it arrives, so a chunked body without a Content-Length stops at the limit too.
import type { IncomingMessage } from 'node:http';

export type UploadBody = { ok: true; bytes: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

export function readUpload(req: IncomingMessage, maxBytes: number): Promise<UploadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: UploadBody) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFailure);
      req.off('aborted', onFailure);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // The rest is never read: the refusal closes the connection (Connection: close).
        req.pause();
        return settle({ ok: false, reason: 'too-large' });
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle({ ok: true, bytes: Buffer.concat(chunks, size) });
    const onFailure = () => settle({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFailure);
    req.on('aborted', onFailure);
    if (req.readableEnded) onEnd();
  });
}
