import { adminRpcMethods } from './admin.rpc';
import { backchannelRpcMethods } from './backchannel.rpc';
import { defineRpc, type RpcClient } from './define-rpc';
import { sessionRpcMethods } from './session.rpc';
import { ssfRpcMethods } from './ssf.rpc';
import { tokenRpcMethods } from './token.rpc';

/** The typed RPC contracts, defined once for both sides (ADR 0005). */
export const TokenRpc = defineRpc({ service: 'token', methods: tokenRpcMethods });
export const SessionRpc = defineRpc({ service: 'session', methods: sessionRpcMethods });
/** Client registration (RFC 7591/7592) and the admin API; served by token-service next to TokenRpc. */
export const AdminRpc = defineRpc({ service: 'admin', methods: adminRpcMethods });
/** Back-channel logout dead letters (admin API); served by session-service next to SessionRpc. */
export const BackchannelRpc = defineRpc({ service: 'backchannel', methods: backchannelRpcMethods });

/** The Shared Signals transmitter's streams (public API and admin API); served by session-service. */
export const SsfRpc = defineRpc({ service: 'ssf', methods: ssfRpcMethods });

export type TokenRpcClient = RpcClient<typeof TokenRpc>;
export type SessionRpcClient = RpcClient<typeof SessionRpc>;
export type AdminRpcClient = RpcClient<typeof AdminRpc>;
export type BackchannelRpcClient = RpcClient<typeof BackchannelRpc>;
export type SsfRpcClient = RpcClient<typeof SsfRpc>;

/**
 * Injection tokens of the clients (plain symbols: contracts know no
 * framework). A composition root binds them to gRPC or in-process clients
 * (RpcClientsModule in packages/nest-kit).
 */
export const TOKEN_RPC = Symbol('TokenRpcClient');
export const SESSION_RPC = Symbol('SessionRpcClient');
export const ADMIN_RPC = Symbol('AdminRpcClient');
export const BACKCHANNEL_RPC = Symbol('BackchannelRpcClient');
export const SSF_RPC = Symbol('SsfRpcClient');
