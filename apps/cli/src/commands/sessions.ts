import type { Command } from '../support/command';
import { ADMIN_OPTIONS, adminApiFrom } from '../support/admin-api';
import { println } from '../support/io';

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
