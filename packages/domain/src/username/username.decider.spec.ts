import { UsernameClaimed, freshEventMeta } from '@idp/contracts';
import { deciderSpec } from '@idp/testing';
import { usernameStream } from '../streams';
import { normaliseUsername, usernameDecider } from './username.decider';

const meta = { now: 1, correlationId: 'c' };
const spec = deciderSpec(usernameDecider);
const claimed = UsernameClaimed.create({ username: 'alice', sub: 'u1' }, freshEventMeta('c'));

describe('username reservation', () => {
  it('claims a free name', () => {
    spec
      .given([])
      .when({ type: 'ClaimUsername', username: 'alice', sub: 'u1', meta })
      .then([{ type: 'username.claimed', data: { username: 'alice', sub: 'u1' } }]);
  });
  it('refuses a name another user holds, and is idempotent for its holder', () => {
    spec
      .given([claimed])
      .when({ type: 'ClaimUsername', username: 'alice', sub: 'u2', meta })
      .thenThrows(/taken/);
    spec
      .given([claimed])
      .when({ type: 'ClaimUsername', username: 'alice', sub: 'u1', meta })
      .thenNothing();
  });
  it('treats case and Unicode forms as the same name, in a stream id safe for any name', () => {
    expect(normaliseUsername('ALICE')).toBe('alice');
    expect(usernameStream('Alice')).toBe(usernameStream('alice'));
    expect(usernameStream('a/b c')).toMatch(/^username-[A-Za-z0-9_-]+$/);
  });
});
