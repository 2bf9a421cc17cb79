import { DomainRuleError } from '../decider';

/**
 * Subject identifiers (RFC 9493) a receiver may add to or remove from a
 * stream, and their canonical keys: the transmitter matches each SET's
 * subjects against a stream's removed subjects by key, so two spellings of
 * one subject (an email's case, member order) are one subject.
 */
export type SubjectIdentifier = Readonly<Record<string, unknown>>;

/** The formats we can match: the ones our SETs name (iss_sub, opaque sid) and email. */
export const SUPPORTED_SUBJECT_FORMATS = ['iss_sub', 'opaque', 'email'] as const;

const MAX_MEMBER = 1000;

function text(subject: SubjectIdentifier, member: string): string {
  const value = subject[member];
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_MEMBER)
    throw new DomainRuleError(
      'ssf.invalid_subject',
      `subject format ${String(subject['format'])} needs a non-empty "${member}" string`,
    );
  return value;
}

/** The canonical key of a subject, or a DomainRuleError (`ssf.invalid_subject`) naming what is wrong. */
export function subjectKey(subject: SubjectIdentifier): string {
  const format = subject['format'];
  switch (format) {
    case 'iss_sub':
      return JSON.stringify(['iss_sub', text(subject, 'iss'), text(subject, 'sub')]);
    case 'opaque':
      return JSON.stringify(['opaque', text(subject, 'id')]);
    case 'email':
      // RFC 9493 3.2.2: the domain is case-insensitive; mailboxes in practice too.
      return JSON.stringify(['email', text(subject, 'email').toLowerCase()]);
    default:
      throw new DomainRuleError(
        'ssf.invalid_subject',
        `unsupported subject format ${JSON.stringify(format)}; supported: ${SUPPORTED_SUBJECT_FORMATS.join(', ')}`,
      );
  }
}

/** The keys a SET about a user (and, if given, one of its sessions) matches. */
export function subjectKeysOf(facts: {
  readonly issuer: string;
  readonly sub?: string | undefined;
  readonly sid?: string | undefined;
  readonly email?: string | undefined;
}): string[] {
  const keys: string[] = [];
  if (facts.sub !== undefined) keys.push(JSON.stringify(['iss_sub', facts.issuer, facts.sub]));
  if (facts.sid !== undefined) keys.push(JSON.stringify(['opaque', facts.sid]));
  if (facts.email !== undefined) keys.push(JSON.stringify(['email', facts.email.toLowerCase()]));
  return keys;
}
