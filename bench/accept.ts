// `npm run bench:accept`: why citizens who connect to a saturated server time out, with no Padoms
// code involved. A bare node:http server whose handler burns a fixed CPU time per request, and
// clients as in `npm run bench` (keep-alive, back to back, arriving over one second) at 10, 100 and
// 500 connections. The server counts accepted connections and event-loop iterations each second.
//
// What it shows on Node 20 (libuv 1.46): a listening socket yields one accepted connection per
// event-loop iteration. A loop that serves many busy keep-alive connections turns slowly (each turn
// of the loop runs every ready request), so newcomers wait in the kernel's accept queue; at 500
// clients and 1–3 ms per request, hundreds wait longer than 10 s. Padoms behind a reverse proxy that
// keeps a pool of upstream connections (nginx, a cloud load balancer) never sees that burst.
//
// Options: --busy <ms> CPU per request (default 3), --seconds <s> per level (default 10).
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(name) + 1] ?? fallback) || fallback;
const BUSY_MS = arg('--busy', 3);
const SECONDS = arg('--seconds', 10);
const TIMEOUT_MS = 10_000;

type Report = { port: number } | { second: number; accepted: number; iterations: number };

function serve(): void {
  let accepted = 0;
  let iterations = 0;
  const tick = () => {
    iterations++;
    setImmediate(tick);
  };
  tick();
  const server = http.createServer((req, res) => {
    const until = performance.now() + BUSY_MS;
    while (performance.now() < until); // the work of a request, on the event loop
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  server.on('connection', () => accepted++);
  server.listen(0, '127.0.0.1', 511, () => process.send?.({ port: (server.address() as AddressInfo).port } satisfies Report));
  let second = 0;
  setInterval(() => process.send?.({ second: ++second, accepted, iterations } satisfies Report), 1000);
}

async function drive(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', ...process.argv.slice(2)], { execArgv: process.execArgv });
  const reports: Extract<Report, { second: number }>[] = [];
  const port = await new Promise<number>((resolve) => child.on('message', (m: Report) => ('port' in m ? resolve(m.port) : reports.push(m))));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const call = (agent: http.Agent) =>
    new Promise<'ok' | 'timeout' | 'error'>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve('ok'));
      });
      req.setTimeout(TIMEOUT_MS, () => {
        req.destroy();
        resolve('timeout');
      });
      req.on('error', () => resolve('error'));
      req.end();
    });
  console.log(`bare node:http, ${BUSY_MS} ms of CPU per request, ${SECONDS} s per level, timeout ${TIMEOUT_MS / 1000} s`);
  console.log('conc  requests ok  timeouts  accepted/s  loop iterations/s');
  for (const concurrency of [10, 100, 500]) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const until = Date.now() + SECONDS * 1000;
    const counts = { ok: 0, timeout: 0, error: 0 };
    const from = reports.length;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        await sleep((1000 * i) / concurrency);
        while (Date.now() < until) counts[await call(agent)]++;
      }),
    );
    agent.destroy();
    const seen = reports.slice(from);
    const rate = (key: 'accepted' | 'iterations') => (seen.length < 2 ? NaN : (seen.at(-1)![key] - seen[0]![key]) / (seen.at(-1)!.second - seen[0]!.second));
    console.log(
      `${String(concurrency).padStart(4)}  ${String(counts.ok).padStart(11)}  ${String(counts.timeout).padStart(8)}  ${rate('accepted').toFixed(0).padStart(10)}  ${rate('iterations').toFixed(0).padStart(17)}`,
    );
  }
  child.kill();
}

if (process.argv.includes('--serve')) serve();
else await drive();
