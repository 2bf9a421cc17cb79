import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import {
  decodeSecret,
  decryptPrivateJwk,
  encryptPrivateJwk,
  generateSigningKey,
  privateKeyFromJwk,
  type PrivateSigningKey,
  type SigningAlg,
  SIGNING_ALGS,
} from '@idp/crypto';
import {
  activeKey,
  KEY_RING_STREAM,
  keyRingDecider,
  publishedKeys,
  type KeyRingState,
  type NewKeyMaterial,
} from '@idp/domain';
import { COMMAND_RUNNER, reportScrapeSource } from '@idp/nest-kit';
import { RecentStates, type CommandRunner } from '@idp/eventsourcing';

export interface ActiveSigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** A PrivateSigningKey: signCompactJws signs with it on the calling thread, jose accepts it too. */
  readonly key: PrivateSigningKey;
}

/**
 * token-service is the only holder of private keys. Keys are created on
 * first start for every configured algorithm, stored encrypted under the
 * key-encryption key, and rotated by command; the event log is their only
 * storage, so every replica converges on the same ring.
 */
@Injectable()
export class KeyRingService implements OnApplicationBootstrap {
  private readonly log = new Logger('KeyRing');
  private readonly kek: Buffer;
  private readonly decrypted = new Map<string, Promise<PrivateSigningKey>>();
  /** Every token signs with the ring's active key: read it at most once per CLIENT_CACHE_MS (ADR 0012). */
  private readonly recent: RecentStates<KeyRingState>;

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    if (!config.KEY_ENCRYPTION_KEY)
      throw new Error('KEY_ENCRYPTION_KEY is required by token-service');
    this.kek = decodeSecret(config.KEY_ENCRYPTION_KEY);
    this.recent = new RecentStates(config.CLIENT_CACHE_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const alg of this.config.SIGNING_KEY_ALGS) {
      if (!(SIGNING_ALGS as readonly string[]).includes(alg))
        throw new Error(`unsupported signing alg ${alg}`);
      await this.ensureActiveKey(alg as SigningAlg);
    }
    reportScrapeSource('signing_keys', this);
  }

  /** Seconds since each algorithm's active key was activated (idp_signing_key_age_seconds). */
  async activeKeyAges(nowSeconds: number): Promise<{ alg: string; ageSeconds: number }[]> {
    const ages: { alg: string; ageSeconds: number }[] = [];
    for (const k of (await this.state()).keys.values())
      if (k.status === 'active' && k.activatedAt !== undefined)
        ages.push({ alg: k.alg, ageSeconds: Math.max(0, nowSeconds - k.activatedAt) });
    return ages;
  }

  /**
   * The ring as of at most CLIENT_CACHE_MS ago. After a rotation elsewhere a
   * replica may sign with the previous key that long: harmless, as a rotated
   * key stays published in the JWKS for its grace period. `fresh` reads the
   * store, for a verifier that meets a kid it does not know yet.
   */
  async state(fresh = false): Promise<KeyRingState> {
    return this.recent.get(
      KEY_RING_STREAM,
      async () => (await this.runner.load(keyRingDecider, KEY_RING_STREAM)).state,
      fresh,
    );
  }

  async ensureActiveKey(alg: SigningAlg): Promise<void> {
    if (activeKey(await this.state(), alg)) return;
    const result = await this.runner.run(keyRingDecider, KEY_RING_STREAM, {
      type: 'AddActiveKey',
      key: await this.newKey(alg),
      meta: this.runner.requestMeta(),
    });
    this.recent.set(KEY_RING_STREAM, result.state);
    if (result.appended.length) this.log.log(`created ${alg} signing key`);
  }

  /** New tokens use the new key at once; the old one stays published for `graceSeconds`. */
  async rotate(alg: SigningAlg, graceSeconds: number): Promise<string> {
    const key = await this.newKey(alg);
    const result = await this.runner.run(keyRingDecider, KEY_RING_STREAM, {
      type: 'RotateKey',
      key,
      retiredKeyGraceSeconds: graceSeconds,
      meta: this.runner.requestMeta(),
    });
    this.recent.set(KEY_RING_STREAM, result.state);
    return key.kid;
  }

  async signingKey(alg: SigningAlg): Promise<ActiveSigningKey> {
    const k = activeKey(await this.state(), alg);
    if (!k) throw new Error(`no active ${alg} key`);
    let key = this.decrypted.get(k.kid);
    if (!key) {
      key = decryptPrivateJwk(k.encryptedPrivateJwk, this.kek, k.kid).then((jwk) =>
        privateKeyFromJwk(jwk),
      );
      this.decrypted.set(k.kid, key);
    }
    return { kid: k.kid, alg, key: await key };
  }

  async publicJwks(fresh = false): Promise<{ keys: Record<string, unknown>[] }> {
    return {
      keys: publishedKeys(await this.state(fresh), this.runner.clock.nowSeconds()).map(
        (k) => k.publicJwk,
      ),
    };
  }

  /**
   * Every public key the ring ever held, retired ones included, read afresh:
   * for telling whether an old token was ours (its history, ADR 0037), never
   * for accepting one.
   */
  async everyPublicJwk(): Promise<Record<string, unknown>[]> {
    return [...(await this.state(true)).keys.values()].map((k) => k.publicJwk);
  }

  private async newKey(alg: SigningAlg): Promise<NewKeyMaterial> {
    const generated = await generateSigningKey(alg);
    return {
      kid: generated.kid,
      alg,
      publicJwk: { ...generated.publicJwk },
      encryptedPrivateJwk: await encryptPrivateJwk(generated.privateJwk, this.kek),
    };
  }
}
