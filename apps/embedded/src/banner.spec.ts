import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startupBanner, summarizeSeed } from './banner';

const EXAMPLE_SEED = join(__dirname, '..', '..', '..', 'examples', 'seed.json');
const BASE = { issuer: 'http://localhost:3000', url: 'http://127.0.0.1:3000', dataDir: '/d' };

describe('the npm start banner', () => {
  it('names the issuer, the discovery URL and the admin listener', () => {
    const banner = startupBanner({ ...BASE, adminUrl: 'http://127.0.0.1:9100' });
    expect(banner).toContain('issuer      http://localhost:3000');
    expect(banner).toContain('discovery   http://localhost:3000/.well-known/openid-configuration');
    expect(banner).toContain('signals     http://localhost:3000/.well-known/ssf-configuration');
    expect(banner).toContain('admin       http://127.0.0.1:9100');
    expect(banner).toMatch(/SEED_FILE=examples\/seed\.json npm start/);
    expect(banner.split('\n').length).toBeLessThan(12);
  });

  it('lists the demo seed: clients, redirect URI and login, never a secret or password', () => {
    const seed = summarizeSeed(EXAMPLE_SEED);
    expect(seed).toMatchObject({
      file: EXAMPLE_SEED,
      clients: expect.arrayContaining([
        { id: 'demo-web', redirectUris: ['http://localhost:8080/callback'] },
        { id: 'demo-service', redirectUris: [] },
      ]),
      users: ['demo'],
    });
    const banner = startupBanner({ ...BASE, seed });
    expect(banner).toContain('client      demo-web, redirect http://localhost:8080/callback');
    expect(banner).toContain('client      demo-service\n');
    expect(banner).toContain('login       demo');
    const raw = readFileSync(EXAMPLE_SEED, 'utf8');
    for (const secret of raw.match(/"(client_secret|password)": "([^"]+)"/g) ?? []) {
      expect(banner).not.toContain(secret.split('"')[3]);
    }
  });

  it('prints nothing about a seed it cannot read', () => {
    expect(summarizeSeed(undefined)).toBeUndefined();
    expect(summarizeSeed('/nope', () => 'not json')).toBeUndefined();
  });
});
