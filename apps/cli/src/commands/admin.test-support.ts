import { fakeFetch, fakeIo } from '../io.test-support';
import { main } from '../main';

/** Long enough to be spotted if it leaked into any output. */
export const TOKEN = 'admin-token-0123456789abcdef0123456789';
export const ENV = { IDP_ADMIN_URL: 'http://admin.test:9100', IDP_ADMIN_TOKEN: TOKEN };

/** Runs `idp <argv>` in process against a fake admin API answering from `answers`. */
export async function runAdmin(
  argv: string[],
  answers: Record<string, [number, unknown?]>,
  options: { env?: NodeJS.ProcessEnv; files?: Record<string, string> } = {},
) {
  const { fetch, calls } = fakeFetch(answers);
  const { io, stdout, stderr } = fakeIo({
    env: options.env ?? ENV,
    fetch,
    files: options.files ?? {},
  });
  const code = await main(argv, io);
  return { code, stdout: stdout(), stderr: stderr(), calls };
}
