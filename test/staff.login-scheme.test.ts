// Logging in to the staff console with Secure cookies (the default) from an address where the browser
// would drop them: plain http to a LAN host. The login says why and what to set, instead of
// "succeeding" and showing the form again.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app.js';

const PASSWORD = 'correct horse battery staple';
let site: RunningApp;

beforeAll(async () => {
  site = await startApp({ COOKIE_SECURE: 'true', TRUST_PROXY_HOPS: '1' });
  await site.app.handover.ready;
  const added = await site.app.handover.directory.add({ name: 'Anna Bērziņa', login: 'anna', languages: ['lv'], role: 'staff', password: PASSWORD });
  if (!added.ok) throw new Error(added.message);
});
afterAll(async () => {
  await site?.stop();
});

/** POST /staff/api/login as a browser addressing `host` would (Host and Origin name it). */
function login(
  host: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { error?: { code: string; message: string } }; cookie: string | undefined }> {
  const { port } = new URL(site.origin);
  const payload = JSON.stringify({ login: 'anna', password: PASSWORD });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/staff/api/login',
        method: 'POST',
        headers: { host, origin: `http://${host}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as { error?: { code: string; message: string } },
            cookie: res.headers['set-cookie']?.[0],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('staff login and Secure cookies', () => {
  it('over plain http to a LAN address: refused with the reason and the setting, no session made', async () => {
    const res = await login('192.168.1.20:3978');
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('InsecureConnection');
    expect(res.body.error?.message).toContain('COOKIE_SECURE=false');
    expect(res.body.error?.message).toContain('https');
    expect(res.cookie).toBeUndefined();
  });

  it('on this machine (localhost, 127.0.0.1) browsers keep Secure cookies over http: logs in', async () => {
    for (const host of ['localhost:3978', `127.0.0.1:${new URL(site.origin).port}`]) {
      const res = await login(host);
      expect(res.status, host).toBe(200);
      expect(res.cookie).toMatch(/^__Host-padoms-staff=.+; Secure/);
    }
  });

  it('behind a trusted TLS proxy (X-Forwarded-Proto: https): logs in', async () => {
    const res = await login('bot.example.lv', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.0.0.5' });
    expect(res.status).toBe(200);
  });
});
