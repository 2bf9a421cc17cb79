import { randomBase64url } from '@idp/crypto';
import { ClientSecretBox } from './client-secret-box';

describe('ClientSecretBox (ADR 0031)', () => {
  const kek = randomBase64url(32);
  const box = new ClientSecretBox({ KEY_ENCRYPTION_KEY: kek });
  const secret = 'a-client-secret-0123456789abcdef-0123456789';

  it('opens what it sealed, for the same client only', () => {
    const sealed = box.seal('app', secret);
    expect(sealed).not.toContain(secret);
    expect(box.open('app', sealed)).toBe(secret);
    // Copied onto another client's record, it does not open.
    expect(box.open('other', sealed)).toBeUndefined();
  });

  it('seals the same secret differently each time (random salt and IV)', () => {
    expect(box.seal('app', secret)).not.toBe(box.seal('app', secret));
  });

  it('does not open under another KEY_ENCRYPTION_KEY, nor once altered', () => {
    const sealed = box.seal('app', secret);
    expect(
      new ClientSecretBox({ KEY_ENCRYPTION_KEY: randomBase64url(32) }).open('app', sealed),
    ).toBe(undefined);
    const flipped = `${sealed.slice(0, 30)}${sealed[30] === 'A' ? 'B' : 'A'}${sealed.slice(31)}`;
    expect(box.open('app', flipped)).toBeUndefined();
    expect(box.open('app', 'not a box!')).toBeUndefined();
  });

  it('uses a key of its own, not KEY_ENCRYPTION_KEY itself', async () => {
    const { openBox, decodeSecret } = await import('@idp/crypto');
    expect(
      openBox(decodeSecret(kek), 'client_secret:app', box.seal('app', secret)),
    ).toBeUndefined();
  });

  it('refuses to start without KEY_ENCRYPTION_KEY', () => {
    expect(() => new ClientSecretBox({ KEY_ENCRYPTION_KEY: undefined })).toThrow(
      /KEY_ENCRYPTION_KEY/,
    );
  });
});
