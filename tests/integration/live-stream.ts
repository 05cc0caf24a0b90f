import type { Client } from './harness.js';

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** An EventSource as a browser would open it, reading `GET /api/live` event by event. */
export class LiveStream {
  private readonly events: SseEvent[] = [];
  private waiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  closed = false;
  comments = 0;

  private constructor(readonly response: Response) {}

  static async open(base: string, client: Client, headers: Record<string, string> = {}, query = ''): Promise<LiveStream> {
    const response = await fetch(`${base}/api/live${query}`, { headers: { cookie: client.cookie, accept: 'text/event-stream', ...headers } });
    const stream = new LiveStream(response);
    if (response.ok) void stream.read();
    return stream;
  }

  private async read() {
    const reader = this.response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.parse(block);
        }
      }
    } catch {
      // aborted by the test
    }
    this.closed = true;
    this.notify();
  }

  private parse(block: string) {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments++;
      const colon = line.indexOf(':');
      if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
    }
    if (fields.data !== undefined)
      this.events.push({ id: fields.id, event: fields.event ?? 'message', data: JSON.parse(fields.data) as Record<string, unknown> });
    this.notify();
  }

  private notify() {
    const waiting = this.waiters;
    this.waiters = [];
    waiting.forEach((wake) => wake());
  }

  /** Waits until `count` events have arrived (or `ms` pass) and returns all so far. */
  async next(count: number, ms = 3_000): Promise<SseEvent[]> {
    const deadline = Date.now() + ms;
    while (this.events.length < count && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, deadline - Date.now());
      });
    }
    return [...this.events];
  }

  async until(predicate: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  close() {
    this.abort.abort();
    void this.response.body?.cancel().catch(() => undefined);
  }
}
