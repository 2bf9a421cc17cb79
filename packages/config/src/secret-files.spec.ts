import { settings } from './defaults';
import { ConfigError, loadConfig } from './load-config';
import { resolveSecretFiles, SECRET_SETTINGS } from './secret-files';

const KEY = 'A'.repeat(43);
const files = (map: Record<string, string>) => (path: string) => {
  if (path in map) return map[path]!;
  throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
};

describe('<NAME>_FILE secrets', () => {
  it('covers only settings that exist', () => {
    for (const name of SECRET_SETTINGS) expect(settings).toHaveProperty(name);
  });

  it('reads the file and trims it (a trailing newline is the norm in mounted secrets)', () => {
    const config = loadConfig(
      { PORT: '1', ADMIN_TOKEN_FILE: '/run/secrets/admin', TOKEN_HASH_KEY_FILE: '/k' },
      {},
      files({ '/run/secrets/admin': `  ${'t'.repeat(40)}\n`, '/k': `${KEY}\r\n` }),
    );
    expect(config.ADMIN_TOKEN).toBe('t'.repeat(40));
    expect(config.TOKEN_HASH_KEY).toBe(KEY);
  });

  it('validates a value from a file like one from the environment', () => {
    expect(() =>
      loadConfig({ PORT: '1', KEY_ENCRYPTION_KEY_FILE: '/k' }, {}, files({ '/k': 'short\n' })),
    ).toThrow(/KEY_ENCRYPTION_KEY: must be 32 bytes/);
  });

  it('refuses both NAME and NAME_FILE, whichever would win', () => {
    const load = () =>
      loadConfig(
        { PORT: '1', ADMIN_TOKEN: 'e'.repeat(40), ADMIN_TOKEN_FILE: '/a' },
        {},
        files({ '/a': 'f'.repeat(40) }),
      );
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/ADMIN_TOKEN: set either ADMIN_TOKEN or ADMIN_TOKEN_FILE, not both/);
  });

  it('names an unreadable or empty file without printing any content', () => {
    const secret = 'postgres://u:hunter2-secret@db/idp';
    let message = '';
    try {
      loadConfig(
        {
          PORT: '1',
          DATABASE_URL_FILE: '/missing',
          REDIS_URL_FILE: '/empty',
          ADMIN_TOKEN_FILE: '/x',
        },
        {},
        files({ '/empty': ' \n', '/x': secret }),
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL_FILE: cannot read \/missing \(ENOENT\)/);
    expect(message).toMatch(/REDIS_URL_FILE: \/empty is empty/);
    // ADMIN_TOKEN is not a Bearer token; the error must not echo the file
    expect(message).toMatch(/ADMIN_TOKEN:/);
    expect(message).not.toContain('hunter2');
  });

  it('treats an empty NAME_FILE as unset and ignores _FILE of settings that are not secrets', () => {
    const { env, problems } = resolveSecretFiles(
      { ADMIN_TOKEN_FILE: '', PORT_FILE: '/p', ADMIN_TOKEN: 'x' },
      files({}),
    );
    expect(problems).toEqual([]);
    expect(env).toEqual({ ADMIN_TOKEN: 'x', PORT_FILE: '/p' });
  });

  it('reads real files by default', () => {
    const { env, problems } = resolveSecretFiles({ REDIS_URL_FILE: __filename });
    expect(problems).toEqual([]);
    expect(env.REDIS_URL).toContain('reads real files by default');
  });
});
