import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigDocs } from './config-docs';

describe('docs/configuration.md', () => {
  it('is generated from the settings table (run `npm run docs:config` after changing a setting)', () => {
    const committed = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });

  it('gives PORT (and the other per-app ports) their apps\' defaults, never "(required)"', () => {
    const row = (name: string) =>
      renderConfigDocs()
        .split('\n')
        .find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row('PORT')).toMatch(/^\| `PORT` \| per app: 3000 auth-api/);
    expect(row('GRPC_PORT')).toMatch(/per app: 50051 token-service/);
    expect(renderConfigDocs()).not.toContain('(required)');
  });

  it('names the _FILE variant of every secret', () => {
    expect(renderConfigDocs()).toMatch(/\| `ADMIN_TOKEN` \|.*Or `ADMIN_TOKEN_FILE`/);
    expect(renderConfigDocs()).toMatch(
      /\| `KAFKA_SASL_PASSWORD` \|.*Or `KAFKA_SASL_PASSWORD_FILE`/,
    );
    expect(renderConfigDocs()).not.toMatch(/\| `ISSUER` \|.*_FILE/);
  });
});
