import type { Io } from './support/io';

/** An Io that records what a command wrote, for tests that run main() in process. */
export function fakeIo(
  overrides: Partial<Omit<Io, 'stdout' | 'stderr'>> & { files?: Record<string, string> } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const { files = {}, ...rest } = overrides;
  const io: Io = {
    stdout: { write: (c: string) => out.push(c) },
    stderr: { write: (c: string) => err.push(c) },
    env: {},
    signal: new AbortController().signal,
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    ...rest,
  };
  return {
    io,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

export interface RecordedCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** A fetch that answers from a table of `METHOD path` → [status, body] and records each call. */
export function fakeFetch(answers: Record<string, [number, unknown?]>) {
  const calls: RecordedCall[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const u = new URL(url);
    const method = init.method ?? 'GET';
    calls.push({
      url,
      method,
      headers: init.headers as Record<string, string>,
      ...(typeof init.body === 'string' ? { body: JSON.parse(init.body) as unknown } : {}),
    });
    const answer = answers[`${method} ${u.pathname}`];
    if (!answer) return new Response(JSON.stringify({ error: 'not_found' }), { status: 404 });
    const [status, body] = answer;
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  };
  return { fetch, calls };
}
