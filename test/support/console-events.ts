// The staff console's event stream (server-sent events) as a test reads it: the events seen while
// `during` runs, until `until` holds or the time is up.
export interface ConsoleEvent {
  event: string;
  data: unknown;
}

/**
 * Opens `url` with the session's cookie and reads its events. `during` starts once the stream has
 * sent its first `state`; the stream is closed when `until` holds, the time is up, or it ends.
 */
export async function readConsoleEvents(
  url: string,
  cookie: string,
  until: (events: ConsoleEvent[]) => boolean,
  during: () => Promise<void> = async () => {},
  ms = 10_000,
): Promise<ConsoleEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const seen: ConsoleEvent[] = [];
  try {
    const res = await fetch(url, { headers: { cookie }, signal: controller.signal });
    if (res.status !== 200) throw new Error(`events: ${res.status}`);
    if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) throw new Error('events: not an event stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let started = false;
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) seen.push({ event, data: JSON.parse(data) });
      }
      if (!started && seen.some((e) => e.event === 'state')) {
        started = true;
        await during();
      }
      if (started && until(seen)) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return seen;
}
