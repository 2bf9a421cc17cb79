import { readFileSync } from 'node:fs';

/** Who a seed file creates: ids and names only (never a secret or a password). */
export interface SeedSummary {
  readonly file: string;
  readonly clients: readonly { readonly id: string; readonly redirectUris: readonly string[] }[];
  readonly users: readonly string[];
}

export interface BannerInput {
  readonly issuer: string;
  /** Where this process listens (may differ from the issuer behind a proxy). */
  readonly url: string;
  readonly adminUrl?: string;
  readonly dataDir: string;
  readonly seed?: SeedSummary | undefined;
}

/**
 * The seed's client ids, redirect URIs and usernames. A seed that cannot be
 * read was already refused at start-up, so here it only loses its lines.
 */
export function summarizeSeed(
  file: string | undefined,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): SeedSummary | undefined {
  if (!file) return undefined;
  try {
    const seed = JSON.parse(read(file)) as {
      clients?: { client_id?: unknown; redirect_uris?: unknown }[];
      users?: { username?: unknown }[];
    };
    return {
      file,
      clients: (seed.clients ?? [])
        .filter((c) => typeof c.client_id === 'string')
        .map((c) => ({
          id: c.client_id as string,
          redirectUris: Array.isArray(c.redirect_uris)
            ? c.redirect_uris.filter((u): u is string => typeof u === 'string')
            : [],
        })),
      users: (seed.users ?? [])
        .map((u) => u.username)
        .filter((u): u is string => typeof u === 'string'),
    };
  } catch {
    return undefined;
  }
}

/**
 * What `npm start` prints once it serves: a few lines a person can act on
 * (where it is, where discovery is, who can log in), instead of Nest's
 * route table. Passwords and secrets are never printed, seeded or not.
 */
export function startupBanner(input: BannerInput): string {
  const base = input.issuer.replace(/\/+$/, '');
  const lines = [
    '',
    `idp is up (embedded mode): ${input.url}`,
    `  issuer      ${input.issuer}`,
    `  discovery   ${base}/.well-known/openid-configuration`,
    `  signals     ${base}/.well-known/ssf-configuration`,
    ...(input.adminUrl
      ? [`  admin       ${input.adminUrl} (/health, /metrics; this host only)`]
      : []),
    `  data        ${input.dataDir}`,
  ];
  const seed = input.seed;
  if (seed && (seed.clients.length || seed.users.length)) {
    for (const c of seed.clients) {
      const redirect = c.redirectUris.length ? `, redirect ${c.redirectUris.join(' ')}` : '';
      lines.push(`  client      ${c.id}${redirect}`);
    }
    if (seed.users.length) lines.push(`  login       ${seed.users.join(', ')}`);
    lines.push(`  (secrets and passwords: ${seed.file})`);
  } else {
    lines.push(
      '  no clients or users yet: `SEED_FILE=examples/seed.json npm start` seeds a demo (README)',
    );
  }
  lines.push('');
  return lines.join('\n');
}
