import { randomBytes } from 'node:crypto';
import { openBox, sealBox } from './sealed-box';

describe('sealed box (AES-256-GCM cookie payloads)', () => {
  const key = randomBytes(32);

  it('opens what it sealed, for the same context only', () => {
    const box = sealBox(key, 'ctx-1', '{"a":1}');
    expect(box).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(box).not.toContain('"a"');
    expect(openBox(key, 'ctx-1', box)).toBe('{"a":1}');
    expect(openBox(key, 'ctx-2', box)).toBeUndefined();
    expect(openBox(randomBytes(32), 'ctx-1', box)).toBeUndefined();
  });

  it('never produces the same box twice', () => {
    expect(sealBox(key, 'c', 'x')).not.toBe(sealBox(key, 'c', 'x'));
  });

  it('rejects any changed byte, truncation, or garbage', () => {
    const bytes = Buffer.from(sealBox(key, 'c', 'hello world'), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] = (changed[i] as number) ^ 1;
      expect(openBox(key, 'c', changed.toString('base64url'))).toBeUndefined();
    }
    expect(
      openBox(key, 'c', bytes.subarray(0, bytes.length - 1).toString('base64url')),
    ).toBeUndefined();
    expect(openBox(key, 'c', 'AAAA')).toBeUndefined();
    expect(openBox(key, 'c', 'not base64url!')).toBeUndefined();
  });
});
