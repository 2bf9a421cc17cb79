import type { z } from 'zod';
import * as s from './admin-api.schemas';

export type AdminMethod = 'get' | 'post' | 'put' | 'delete';

export interface AdminOperation {
  readonly method: AdminMethod;
  /** OpenAPI style: `/admin/clients/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: 'clients' | 'users' | 'sessions' | 'backchannel' | 'ssf' | 'meta';
  /** The query parameters, one property each. */
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The success answer: its status and body (none for 204). */
  readonly status: 200 | 201 | 204;
  readonly response?: z.ZodType;
  /** Public on the admin listener (no credentials): the document itself. */
  readonly anonymous?: boolean;
}

const client = '/admin/clients/{id}';
const user = '/admin/users/{sub}';
const session = '/admin/sessions/{sid}';

/** Every admin route; a controller route missing here fails admin-api.openapi.spec.ts. */
export const adminOperations: readonly AdminOperation[] = [
  {
    method: 'post',
    path: '/admin/clients',
    tag: 'clients',
    summary: 'Register a client (a chosen client_id and client_secret are allowed).',
    body: s.adminClientBody,
    status: 201,
    response: s.adminClientView,
  },
  {
    method: 'get',
    path: client,
    tag: 'clients',
    summary: 'Read a client.',
    status: 200,
    response: s.adminClientView,
  },
  {
    method: 'put',
    path: client,
    tag: 'clients',
    summary:
      'Replace the metadata (omitted fields return to their defaults; the secret stays unless given).',
    body: s.adminClientBody,
    status: 200,
    response: s.adminClientView,
  },
  {
    method: 'delete',
    path: client,
    tag: 'clients',
    summary: 'Delete a client and revoke its grants.',
    status: 204,
  },
  {
    method: 'post',
    path: `${client}/revoke-tokens`,
    tag: 'clients',
    summary: 'Revoke every grant of the client.',
    status: 200,
    response: s.adminRevokedGrants,
  },
  {
    method: 'post',
    path: `${client}/secret`,
    tag: 'clients',
    summary: 'Generate a new secret (shown once); the old one stops working at once.',
    status: 200,
    response: s.adminRotatedSecret,
  },
  {
    method: 'post',
    path: '/admin/users',
    tag: 'users',
    summary: 'Create a user (sub generated when absent).',
    body: s.adminUserBody,
    status: 201,
    response: s.adminUserView,
  },
  {
    method: 'get',
    path: user,
    tag: 'users',
    summary: 'Read a user.',
    status: 200,
    response: s.adminUserView,
  },
  {
    method: 'put',
    path: user,
    tag: 'users',
    summary: 'Change a user (claims replace the claim set; absent fields stay).',
    body: s.adminUserChanges,
    status: 200,
    response: s.adminUserView,
  },
  {
    method: 'delete',
    path: user,
    tag: 'users',
    summary: 'Delete a user and revoke its grants.',
    status: 204,
  },
  {
    method: 'post',
    path: `${user}/end-sessions`,
    tag: 'users',
    summary: 'End every live session of the user (back-channel logout, grants revoked).',
    status: 200,
    response: s.adminSessionsEnded,
  },
  {
    method: 'post',
    path: `${user}/unlock`,
    tag: 'users',
    summary: "Lift the user's sign-in lock.",
    status: 200,
    response: s.adminUnlocked,
  },
  {
    method: 'post',
    path: `${user}/revoke-tokens`,
    tag: 'users',
    summary: 'Revoke every grant of the user.',
    status: 200,
    response: s.adminRevokedGrants,
  },
  {
    method: 'get',
    path: session,
    tag: 'sessions',
    summary: 'Read a live session.',
    status: 200,
    response: s.adminSessionView,
  },
  {
    method: 'post',
    path: `${session}/end`,
    tag: 'sessions',
    summary: 'End the session as logout does (reason admin).',
    status: 200,
    response: s.adminSessionEnded,
  },
  {
    method: 'post',
    path: `${session}/revoke-tokens`,
    tag: 'sessions',
    summary: 'Revoke every grant issued under the session.',
    status: 200,
    response: s.adminRevokedGrants,
  },
  {
    method: 'get',
    path: '/admin/backchannel/dead-letters',
    tag: 'backchannel',
    summary: 'Back-channel logout deliveries that ran out of attempts.',
    query: s.adminDeadLettersQueryFields,
    status: 200,
    response: s.adminDeadLetters,
  },
  {
    method: 'post',
    path: '/admin/backchannel/dead-letters/{sid}/{clientId}/retry',
    tag: 'backchannel',
    summary: 'Put a dead letter back in the queue (same jti).',
    status: 200,
    response: s.adminRetried,
  },
  {
    method: 'get',
    path: '/admin/ssf/dead-letters',
    tag: 'ssf',
    summary: 'Shared Signals SET deliveries that ran out of attempts (never the SET itself).',
    query: s.adminSsfDeadLettersQueryFields,
    status: 200,
    response: s.adminSsfDeadLetters,
  },
  {
    method: 'post',
    path: '/admin/ssf/dead-letters/{streamId}/{jti}/retry',
    tag: 'ssf',
    summary: 'Put a dead-lettered SET delivery back in the queue (same jti).',
    status: 200,
    response: s.adminSsfRetried,
  },
  {
    method: 'get',
    path: '/admin/openapi.json',
    tag: 'meta',
    summary: 'This document.',
    status: 200,
    anonymous: true,
  },
];
