import { z } from 'zod';
import { url } from './setting-schemas';

/**
 * The event store's PostgreSQL (distributed mode): where it is, which
 * schema, and TLS to it.
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const databaseSettings = {
  DATABASE_URL: {
    schema: url.default('postgres://postgres@127.0.0.1:5432/idp'),
    description: 'Distributed mode: PostgreSQL holding the event store and outbox.',
  },
  DATABASE_SCHEMA: {
    schema: z.string().default('public'),
    description: 'PostgreSQL schema for the event store tables.',
  },
  DATABASE_SSL: {
    schema: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
    description:
      "TLS to PostgreSQL (event store, outbox, back-channel delivery table), libpq's modes: `disable`; `require` (encrypted, server not verified); `verify-ca` (certificate chains to DATABASE_SSL_CA_FILE or the system CAs, any host name); `verify-full` (and the host name matches; use this for a managed database). Unset: whatever `sslmode` in DATABASE_URL says (plaintext without it). Setting both this and `sslmode` is an error.",
  },
  DATABASE_SSL_CA_FILE: {
    schema: z.string().optional(),
    description:
      "PEM file of the CA(s) that sign the PostgreSQL server's certificate (e.g. the cloud provider's bundle), for DATABASE_SSL `verify-ca` or `verify-full`. Unset: Node's built-in CAs.",
  },
} as const;
