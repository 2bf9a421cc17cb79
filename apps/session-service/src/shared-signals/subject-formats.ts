import type { SsfSubjectFormat } from '@idp/contracts';

/** Who a security event is about, as far as the originating event says. */
export interface SignalPrincipals {
  /** Our issuer: the `iss` of every `iss_sub` subject. */
  readonly iss: string;
  /** The end-user, if the event names one. */
  readonly sub?: string | undefined;
  /** The SSO session (the `sid` of our ID tokens), if the event names one. */
  readonly sid?: string | undefined;
  /** The client a grant or token belongs to, if the event names one. */
  readonly clientId?: string | undefined;
}

export type SubjectId = Readonly<Record<string, unknown>>;

const issSub = (iss: string, sub: string): SubjectId => ({ format: 'iss_sub', iss, sub });
const opaque = (id: string): SubjectId => ({ format: 'opaque', id });

/**
 * The SET's `sub_id` in the format a stream asked for (SSF_SUBJECT_FORMATS):
 * one shape for every event type, so a receiver that can match only one
 * kind of subject gets only that kind. Each format falls back to the next
 * principal the event has; every event names at least one.
 */
export function subjectIdIn(format: SsfSubjectFormat, p: SignalPrincipals): SubjectId {
  switch (format) {
    case 'complex':
      return {
        format: 'complex',
        ...(p.sub === undefined ? {} : { user: issSub(p.iss, p.sub) }),
        ...(p.sid === undefined ? {} : { session: opaque(p.sid) }),
        ...(p.clientId === undefined ? {} : { application: opaque(p.clientId) }),
      };
    case 'iss_sub':
      // A grant without a user is a client_credentials grant: RFC 9068 makes its `sub` the client id.
      return issSub(p.iss, p.sub ?? p.clientId ?? unnamed());
    case 'opaque':
      return opaque(p.sid ?? p.sub ?? p.clientId ?? unnamed());
  }
}

function unnamed(): never {
  throw new TypeError('a security event must name a user, a session or a client');
}
