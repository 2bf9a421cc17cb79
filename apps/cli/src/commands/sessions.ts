import type { Command } from '../support/command';
import { ADMIN_OPTIONS, adminApiFrom } from '../support/admin-api';
import { counted, countIn } from '../support/admin-answers';
import { println } from '../support/io';

export const getSession: Command = {
  path: ['sessions', 'get'],
  summary: 'Show one live SSO session: its user, clients, expiries (admin API).',
  description: `GET /admin/sessions/<sid>, printed as JSON. An unknown, ended or expired
session is an error (404).`,
  positionals: [{ name: 'sid' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const session = await adminApiFrom(values, io).call('GET', ['sessions', positionals[0]!]);
    println(io.stdout, JSON.stringify(session, null, 2));
  },
};

export const endSession: Command = {
  path: ['sessions', 'end'],
  summary: 'End an SSO session as logout does (admin API).',
  description: `POST /admin/sessions/<sid>/end: the session ends (reason admin), every client
of it gets its back-channel logout, and its tokens are revoked before the call
answers. An unknown or already ended session is not an error: it says so.`,
  positionals: [{ name: 'sid' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const sid = positionals[0]!;
    const answer = await adminApiFrom(values, io).call<{ ended: boolean }>('POST', [
      'sessions',
      sid,
      'end',
    ]);
    println(io.stdout, answer?.ended ? `ended session ${sid}` : `no live session ${sid}`);
  },
};

export const revokeSessionTokens: Command = {
  path: ['sessions', 'revoke-tokens'],
  summary: 'Revoke every grant issued under an SSO session; the session stays (admin API).',
  description: `POST /admin/sessions/<sid>/revoke-tokens: the tokens are refused and inactive
once the call answers, but the user stays signed in ('sessions end' ends the
session too). An unknown sid simply has no grants: 0 is not an error.`,
  positionals: [{ name: 'sid' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const sid = positionals[0]!;
    const answer = await adminApiFrom(values, io).call('POST', ['sessions', sid, 'revoke-tokens']);
    const n = countIn(answer, 'revoked_grants', `POST /admin/sessions/${sid}/revoke-tokens`);
    println(io.stdout, `revoked ${counted(n, 'grant')} of session ${sid}`);
  },
};
