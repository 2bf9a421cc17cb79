import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceClient as sharedServiceClient } from '@idp/testing';

/** Two client_credentials clients, one per access-token format, and a bystander. */
export const CLIENTS = {
  opaque: { id: 'svc-opaque', secret: 'svc-opaque-secret-0123456789abcdef' },
  jwt: { id: 'svc-jwt', secret: 'svc-jwt-secret-0123456789abcdefgh' },
  other: { id: 'bystander', secret: 'bystander-secret-0123456789abcdef' },
} as const;

/** A client_credentials client of the seed, with the given access-token format. */
export const serviceClient = (c: { id: string; secret: string }, format: 'opaque' | 'jwt') =>
  sharedServiceClient({ clientId: c.id, secret: c.secret, format, scope: 'reports:read' });

export function writeIntrospectionSeed(): string {
  const client = serviceClient;
  const seed = {
    clients: [
      client(CLIENTS.opaque, 'opaque'),
      client(CLIENTS.jwt, 'jwt'),
      client(CLIENTS.other, 'opaque'),
    ],
    users: [],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-introspection-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

export const basic = (c: { id: string; secret: string }) =>
  `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export async function clientCredentialsToken(
  authApi: string,
  c: { id: string; secret: string },
): Promise<string> {
  const res = await fetch(`${authApi}/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(c) },
    body: 'grant_type=client_credentials&scope=reports%3Aread',
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) {
    throw new Error(`/token answered ${res.status}: ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

export async function introspect(
  url: string,
  token: string,
  caller: { id: string; secret: string },
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${url}/introspect`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(caller), ...headers },
    body: new URLSearchParams({ token }).toString(),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body, headers: res.headers };
}

export async function revoke(
  authApi: string,
  token: string,
  c: { id: string; secret: string },
): Promise<number> {
  const res = await fetch(`${authApi}/revoke`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(c) },
    body: new URLSearchParams({ token }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}
