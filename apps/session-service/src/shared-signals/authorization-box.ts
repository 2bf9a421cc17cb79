import { decodeSecret, deriveKey, openBox, sealBox } from '@idp/crypto';

/** The box is bound to its stream: a sealed header copied onto another stream never opens. */
const aad = (streamId: string) => `ssf_authorization_header:${streamId}`;

/**
 * The Authorization header a push receiver gives (SSF 1.0 8.1.1) is its
 * secret: it is sealed (AES-256-GCM, packages/crypto sealed-box) before it
 * enters an event, under a key derived from KEY_ENCRYPTION_KEY for this
 * purpose alone (the key token-service uses for the signing keys and
 * client_secret_jwt secrets; session-service needs it only for this), and
 * opened only to send a SET. Without KEY_ENCRYPTION_KEY a stream can still
 * be created, but not with an authorization header (ADR 0035).
 */
export class AuthorizationBox {
  private readonly key: Buffer | undefined;

  constructor(keyEncryptionKey: string | undefined) {
    this.key =
      keyEncryptionKey === undefined
        ? undefined
        : deriveKey(decodeSecret(keyEncryptionKey), 'ssf-authorization-header');
  }

  get canSeal(): boolean {
    return this.key !== undefined;
  }

  seal(streamId: string, header: string): string {
    if (this.key === undefined) throw new Error('KEY_ENCRYPTION_KEY is not set');
    return sealBox(this.key, aad(streamId), header);
  }

  /** The header, or undefined when the box does not open (another key, another stream, altered). */
  open(streamId: string, sealed: string): string | undefined {
    return this.key === undefined ? undefined : openBox(this.key, aad(streamId), sealed);
  }
}
