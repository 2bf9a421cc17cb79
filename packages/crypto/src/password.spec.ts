import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password';

const cheap = { N: 2 ** 10 }; // the format and logic are what is under test, not the cost

describe('passwords (scrypt)', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple', cheap);
    expect(stored).toMatch(/^scrypt\$N=1024,r=8,p=1\$/);
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('Correct horse battery staple', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', cheap)).not.toBe(await hashPassword('same', cheap));
  });

  it('treats composed and decomposed unicode as the same password', async () => {
    const stored = await hashPassword('caf\u00e9', cheap);
    await expect(verifyPassword('cafe\u0301', stored)).resolves.toBe(true);
  });

  it('never matches a malformed hash, nor the dummy hash', async () => {
    await expect(verifyPassword('x', 'plaintext')).resolves.toBe(false);
    await expect(verifyPassword('x', DUMMY_PASSWORD_HASH)).resolves.toBe(false);
  });

  it('never matches a password with NUL appended, and refuses to hash one', async () => {
    const stored = await hashPassword('secret', cheap);
    // HMAC zero-pads a short key: without the check this would be true.
    await expect(verifyPassword('secret\u0000', stored)).resolves.toBe(false);
    await expect(verifyPassword('secret\u0000\u0000', stored)).resolves.toBe(false);
    await expect(hashPassword('secret\u0000', cheap)).rejects.toThrow(RangeError);
  });

  it('uses OWASP-level cost by default', async () => {
    expect(await hashPassword('x')).toMatch(/^scrypt\$N=131072,r=8,p=1\$/);
  });
});
