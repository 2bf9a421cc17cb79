import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';

/** TLS and Sentinel settings of a Redis connection (REDIS_TLS_CA_FILE, REDIS_SENTINEL_*). */
export interface RedisSecurity {
  /** PEM CA bundle for the server's certificate; TLS itself is on for a rediss:// URL. */
  readonly tlsCaFile?: string;
  readonly sentinel?: {
    /** `host:port` of each sentinel. */
    readonly sentinels: readonly string[];
    /** The master group name the sentinels monitor. */
    readonly masterName: string;
    /** The sentinels' own password, if they have one. */
    readonly password?: string;
    /** TLS to the sentinels too. */
    readonly tls?: boolean;
  };
}

type ReadFile = (path: string) => string;

/**
 * The ioredis options for TLS and Sentinel, merged over the URL's (ioredis
 * lets an options object win over what it parses from the URL). With
 * Sentinel the URL's host is ignored: ioredis asks the sentinels for the
 * master, and again after a failover; the URL still gives the master's
 * credentials, database and whether to use TLS (rediss://). The host name of
 * a TLS peer is always verified (no rejectUnauthorized: false).
 */
export function redisSecurityOptions(
  url: string,
  security: RedisSecurity = {},
  readFile: ReadFile = (p) => readFileSync(p, 'utf8'),
  // Without replyMapping: ioredis types it `?: ReplyMappingMode | undefined` in RedisOptions and
  // `?: ReplyMapping` in its constructor, which exactOptionalPropertyTypes cannot reconcile.
): Omit<Partial<RedisOptions>, 'replyMapping'> {
  const tlsToMaster = url.startsWith('rediss://');
  const ca = security.tlsCaFile ? readCa(security.tlsCaFile, readFile) : undefined;
  const tls = ca ? { ca: [ca] } : {};
  const out: Partial<RedisOptions> = {};
  if (tlsToMaster) out.tls = tls;
  const sentinel = security.sentinel;
  if (sentinel && sentinel.sentinels.length) {
    out.sentinels = sentinel.sentinels.map(hostPort);
    out.name = sentinel.masterName;
    if (sentinel.password) out.sentinelPassword = sentinel.password;
    // ioredis only applies `tls` to the master it discovers when told so.
    if (tlsToMaster) out.enableTLSForSentinelMode = true;
    if (sentinel.tls) out.sentinelTLS = tls;
  }
  return out;
}

function hostPort(entry: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry.trim());
  if (!m) throw new TypeError(`Redis sentinel must be host:port, got ${entry}`);
  return { host: m[1]!, port: Number(m[2]) };
}

function readCa(path: string, readFile: ReadFile): string {
  let pem: string;
  try {
    pem = readFile(path);
  } catch (err) {
    throw new Error(`cannot read the Redis CA file ${path}: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`the Redis CA file ${path} holds no PEM certificate`);
  }
  return pem;
}
