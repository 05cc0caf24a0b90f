/** One signed-in user's HTTP conversation with the server: its session cookie, and nothing else. */
export class SimClient {
  private cookie = '';
  constructor(readonly base: URL) {}

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = contentType;
    }
    // Paths only: the simulator talks to the one server it was given, never to a URL a response names.
    if (!path.startsWith('/')) throw new Error(`not a path on the server: ${path}`);
    const response = await fetch(new URL(path, this.base), { method, headers, body: payload, redirect: 'manual' });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      this.cookie = pair && !/=$/.test(pair) ? pair : '';
    }
    return response;
  }

  /** The JSON of a 2xx answer; anything else throws with the server's own words. */
  async json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const response = await this.request(method, path, body, contentType);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}
