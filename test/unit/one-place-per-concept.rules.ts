import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { STREAM_PREFIX } from '@idp/contracts';
import { KEY_RING_STREAM } from '@idp/domain';

/**
 * Issue #15 "one place per concept", as checks over source text: each rule
 * names the one file (or package) that owns a concept and reports every
 * other file that defines it again. Pure functions of (path, text), so the
 * spec can show each rule catching a planted copy.
 */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export const ROOT = join(__dirname, '..', '..');

/** Every TypeScript source of apps/*, packages/* and test/ (no build output, no dependencies). */
export function sourceFiles(): SourceFile[] {
  const self = /^test\/unit\/one-place-per-concept\./;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.name === 'node_modules' || e.name === 'dist') return [];
      const path = join(dir, e.name);
      if (e.isDirectory()) return walk(path);
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
    });
  const roots = [
    ...['apps', 'packages'].flatMap((d) =>
      readdirSync(join(ROOT, d)).map((name) => join(ROOT, d, name, 'src')),
    ),
    join(ROOT, 'test'),
  ];
  return roots
    .flatMap((r) => {
      try {
        return walk(r);
      } catch {
        return [];
      }
    })
    .map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }))
    .filter((f) => !self.test(f.path)); // these files quote what they look for
}

/** Specs, fixtures, shared test cases and test support: not shipped code. */
export const isTest = (path: string): boolean =>
  path.startsWith('test/') ||
  /\.(spec|fixtures|cases|contract|test-support)\.ts$/.test(path) ||
  path.startsWith('packages/testing/');

const codeLines = (text: string): string[] =>
  text.split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l));

// --- node:crypto only in packages/crypto ---

const NODE_CRYPTO = /from '(node:)?crypto';|require\('(node:)?crypto'\)/;
/**
 * What a test may still take from node:crypto: independent oracles (hashing
 * or MACing what the code under test should produce, keys of an outside
 * party such as a resource server, forging tokens an attacker could make).
 * Randomness for test keys and ids comes from @idp/crypto like everyone's.
 */
const TEST_ORACLES = new Set([
  'createHash',
  'createHmac',
  'createSecretKey',
  'createPublicKey',
  'createCipheriv',
  'publicEncrypt',
  'constants',
  'generateKeyPairSync',
  'webcrypto',
  'JsonWebKey',
]);
/**
 * Left where they are on purpose: the SQL runners' lock-key digests and the
 * int specs of the SQL, cache and event-store adapters belong to another
 * rework (issue #15); move them behind @idp/crypto there.
 */
export const NODE_CRYPTO_LEFT: ReadonlySet<string> = new Set([
  'apps/session-service/src/backchannel-logout/sql/delivery-store-faults.int.spec.ts',
  'packages/eventstore/src/postgres.event-store.int.spec.ts',
  'packages/eventstore/src/crash.event-store.int.spec.ts',
  'packages/eventstore/src/connection-faults.int.spec.ts',
  'packages/cache/src/redis.read-model-cache.int.spec.ts',
]);

export function nodeCryptoOutsideCrypto(f: SourceFile): string | undefined {
  if (f.path.startsWith('packages/crypto/') || NODE_CRYPTO_LEFT.has(f.path)) return undefined;
  const m = /import\s+(type\s+)?\{([^}]*)\}\s+from '(node:)?crypto';/.exec(f.text);
  if (!m && !NODE_CRYPTO.test(f.text)) return undefined;
  if (!isTest(f.path)) return 'imports node:crypto outside @idp/crypto';
  const names = (m?.[2] ?? '*')
    .split(',')
    .map((n) => n.replace(/^\s*type\s+/, '').trim())
    .filter(Boolean);
  const extra = m ? names.filter((n) => !TEST_ORACLES.has(n)) : ['(not a named import)'];
  return extra.length ? `takes ${extra.join(', ')} from node:crypto, not @idp/crypto` : undefined;
}

// --- stream ids only in domain's streams.ts ---

const STREAM_OWNERS = new Set([
  'packages/domain/src/streams.ts',
  'packages/contracts/src/topics.ts',
]);
const quoted = Object.values(STREAM_PREFIX)
  .map((p) => p.replace(/[-]/g, '\\-'))
  .join('|');
const STREAM_ID = new RegExp(`[\`'"](${quoted})(\\$\\{|[\`'"])|'${KEY_RING_STREAM}'`);

export function streamIdOutsideDomain(f: SourceFile): string | undefined {
  if (isTest(f.path) || STREAM_OWNERS.has(f.path)) return undefined;
  const line = codeLines(f.text).find((l) => STREAM_ID.test(l));
  return line === undefined ? undefined : `builds a stream id by hand: ${line.trim()}`;
}

// --- one JWE encryption of access tokens ---

export function jweOutsideCrypto(f: SourceFile): string | undefined {
  if (f.path.startsWith('packages/crypto/src/')) return undefined;
  return /\b(CompactEncrypt|EncryptJWT|GeneralEncrypt|FlattenedEncrypt)\b/.test(f.text)
    ? 'encrypts a JWE itself instead of calling encryptAccessToken'
    : undefined;
}

// --- grant types only in domain's grant-types.ts ---

const GRANT = `'(authorization_code|refresh_token|client_credentials|implicit)'`;
const GRANT_LIST = new RegExp(`\\[\\s*${GRANT}\\s*,\\s*${GRANT}`);

export function grantListOutsideDomain(f: SourceFile): string | undefined {
  if (isTest(f.path) || f.path === 'packages/domain/src/grant/grant-types.ts') return undefined;
  return GRANT_LIST.test(f.text) ? 'lists grant types instead of SUPPORTED_GRANT_TYPES' : undefined;
}

// --- one {status, headers, body} type ---

/** A type literal or interface body with status: number, headers and body members, in any order. */
const TYPE_BODY = /(interface\s+\w+(\s+extends\s+[^{]+)?|:)\s*\{([^{}]*)\}/g;
const RESPONSE_OWNERS = new Set([
  'packages/oauth-errors/src/http-response.ts',
  // A response this server receives from an RP (raw headers, bytes): another concept.
  'packages/outbound/src/outbound-client.ts',
]);

function declaresResponseShape(text: string): boolean {
  const member = (name: string, type = '') =>
    new RegExp(`(^|[{;,])\\s*(readonly\\s+)?${name}\\??:\\s*${type}`, 'm');
  return [...text.matchAll(TYPE_BODY)].some(
    ([, , , members = '']) =>
      member('status', 'number\\b').test(members) &&
      member('headers').test(members) &&
      member('body').test(members),
  );
}

export function responseTypeOutsideOAuthErrors(f: SourceFile): string | undefined {
  if (isTest(f.path) || RESPONSE_OWNERS.has(f.path)) return undefined;
  return declaresResponseShape(f.text)
    ? 'declares its own {status, headers, body} instead of HttpResponse'
    : undefined;
}

// --- "accept once" through the ReplayStore port only ---

/**
 * The read model's setIfAbsent is a cache write (introspection records
 * written once per event), not a claim of a one-time value: it may stay.
 * The device flow's store reserves a unique index entry that is read back
 * (user code → device) and a polling window that slow_down overwrites
 * (RFC 8628 3.5): neither is a value accepted once, which is all ReplayStore does.
 */
const SET_IF_ABSENT_OWNERS = new Set([
  'packages/eventsourcing/src/apply-introspection-writes.ts',
  'apps/token-service/src/device/device-flow-store.ts',
]);
const CLAIM = /\.setIfAbsent\(|'NX'\)/;

export function claimOutsideReplayStore(f: SourceFile): string | undefined {
  if (isTest(f.path) || f.path.startsWith('packages/cache/src/')) return undefined;
  if (SET_IF_ABSENT_OWNERS.has(f.path)) return undefined;
  const line = codeLines(f.text).find((l) => CLAIM.test(l));
  return line === undefined
    ? undefined
    : `claims a one-time value itself instead of ReplayStore.claimOnce: ${line.trim()}`;
}

export const RULES = {
  'node:crypto is used in @idp/crypto only': nodeCryptoOutsideCrypto,
  'stream ids are built in packages/domain/src/streams.ts only': streamIdOutsideDomain,
  'access-token JWEs are made by encryptAccessToken only': jweOutsideCrypto,
  'the supported grant types are listed in domain only': grantListOutsideDomain,
  '{status, headers, body} is HttpResponse only': responseTypeOutsideOAuthErrors,
  'one-time values are claimed through ReplayStore only': claimOutsideReplayStore,
} as const;
