// Requests start a few per event-loop iteration, never all at once where they were read.
//
// Why: libuv takes one new connection from the listening socket per event-loop iteration, and Node
// runs every request that is ready inline in the same iteration. A busy server with many keep-alive
// citizens then turns its loop a few times a second, and a citizen who is just connecting waits in
// the kernel's accept queue until the request times out (`npm run bench:accept` shows it on a bare
// node:http server: 418 of 500 newcomers time out at 3 ms per request). Starting at most a few
// requests per iteration, each in the iteration's check phase, keeps the loop turning: newcomers are
// accepted within milliseconds, and everyone waits in one fair queue instead. Throughput is the same.
import type restify from 'restify';

export interface FairStart {
  /** Register first with server.pre. */
  pre: restify.RequestHandler;
  /** Requests read but not started yet. */
  waiting(): number;
}

export function fairStart(perIteration: number): FairStart {
  if (!Number.isInteger(perIteration) || perIteration < 1) throw new Error('fairStart: perIteration must be a positive integer');
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const startSome = () => {
    scheduled = false;
    for (let i = 0; i < perIteration && waiting.length > 0; i++) waiting.shift()!();
    // The rest waits for the next iteration: setImmediate from here runs after the next poll phase.
    if (waiting.length > 0) schedule();
  };
  const schedule = () => {
    scheduled = true;
    setImmediate(startSome);
  };
  return {
    pre: (_req, _res, next) => {
      waiting.push(() => next());
      if (!scheduled) schedule();
    },
    waiting: () => waiting.length,
  };
}
