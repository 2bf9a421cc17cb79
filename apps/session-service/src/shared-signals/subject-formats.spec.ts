import { subjectIdIn, type SignalPrincipals } from './subject-formats';

const ISS = 'https://op.example.com';
const session: SignalPrincipals = { iss: ISS, sub: 'u-1', sid: 'sid-1' };
const userGrant: SignalPrincipals = { iss: ISS, sub: 'u-1', sid: 'sid-1', clientId: 'rp' };
const user: SignalPrincipals = { iss: ISS, sub: 'u-1' };
const machine: SignalPrincipals = { iss: ISS, clientId: 'svc' };

describe('subjectIdIn: the sub_id in the format a stream asked for', () => {
  it('complex: every principal the event names, and nothing it does not', () => {
    expect(subjectIdIn('complex', userGrant)).toEqual({
      format: 'complex',
      user: { format: 'iss_sub', iss: ISS, sub: 'u-1' },
      session: { format: 'opaque', id: 'sid-1' },
      application: { format: 'opaque', id: 'rp' },
    });
    // A lone user is still a complex subject: the receiver asked for one shape.
    expect(subjectIdIn('complex', user)).toEqual({
      format: 'complex',
      user: { format: 'iss_sub', iss: ISS, sub: 'u-1' },
    });
    expect(subjectIdIn('complex', machine)).toEqual({
      format: 'complex',
      application: { format: 'opaque', id: 'svc' },
    });
  });

  it('iss_sub: the user; a grant without one names its client (RFC 9068 sub of client_credentials)', () => {
    expect(subjectIdIn('iss_sub', session)).toEqual({ format: 'iss_sub', iss: ISS, sub: 'u-1' });
    expect(subjectIdIn('iss_sub', userGrant)).toEqual({ format: 'iss_sub', iss: ISS, sub: 'u-1' });
    expect(subjectIdIn('iss_sub', machine)).toEqual({ format: 'iss_sub', iss: ISS, sub: 'svc' });
  });

  it('opaque: the session where there is one, else the user, else the client', () => {
    expect(subjectIdIn('opaque', userGrant)).toEqual({ format: 'opaque', id: 'sid-1' });
    expect(subjectIdIn('opaque', user)).toEqual({ format: 'opaque', id: 'u-1' });
    expect(subjectIdIn('opaque', machine)).toEqual({ format: 'opaque', id: 'svc' });
  });

  it('refuses an event that names nobody rather than send an empty subject', () => {
    expect(() => subjectIdIn('opaque', { iss: ISS })).toThrow(TypeError);
    expect(() => subjectIdIn('iss_sub', { iss: ISS, sid: 'sid-1' })).toThrow(TypeError);
  });
});
