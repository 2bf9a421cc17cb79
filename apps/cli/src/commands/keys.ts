import type { Command } from '../support/command';
import { EMBEDDED_OPTION, JSON_OPTION } from '../support/options';

/** @idp/crypto's SIGNING_ALGS, written out so that `--help` loads no crypto (a test keeps them equal). */
export const HELP_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export const rotateKey: Command = {
  path: ['keys', 'rotate'],
  summary: 'Rotate the signing key of one algorithm.',
  description: `<alg> is one of ${HELP_ALGS.join(', ')}. New tokens use the new key at once; the
old key stays in the JWKS for the grace period (default 86400 s: at least the
longest token lifetime). The events are committed to the event store of
DATABASE_URL/DATABASE_SCHEMA (KEY_ENCRYPTION_KEY encrypts the new private key)
and published to KAFKA_BROKERS; if the broker is down, a running
token-service's outbox relay publishes them. Like a token-service start, it
first creates a key for each SIGNING_KEY_ALGS algorithm that has none.`,
  positionals: [{ name: 'alg' }],
  options: {
    'grace-seconds': {
      type: 'string',
      value: 'N',
      help: 'how long the retired key stays published (default 86400)',
    },
  },
  run: async (ctx) => (await import('./run/keys')).runRotateKey(ctx),
};

export const listKeys: Command = {
  path: ['keys', 'list'],
  summary: 'List the signing keys: kid, alg, state, age.',
  description: `Reads the key-ring stream of the event store (read only). States: active (signs
new tokens), retired (still in the JWKS until its grace period ends), expired
(no longer published), generated (not activated). Private keys are never read.`,
  positionals: [],
  options: { ...EMBEDDED_OPTION, ...JSON_OPTION },
  run: async (ctx) => (await import('./run/keys')).runListKeys(ctx),
};
