import type { z } from 'zod';

/** The two schemas of one unary method. */
export interface RpcMethodSchemas {
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}

export type RpcMethods = Readonly<Record<string, RpcMethodSchemas>>;

/** A service's typed contract: the only thing client and server share. */
export interface RpcContract<S extends string = string, M extends RpcMethods = RpcMethods> {
  readonly service: S;
  readonly methods: M;
}

type Json =
  string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json | undefined };

/**
 * Bodies cross the wire as JSON and the receiver parses them again, so a
 * schema's output must be plain JSON and a valid input of the same schema
 * (defaults, refinements, trimming: fine; string → Date transforms: not).
 * Checked at compile time so the embedded mode cannot hide what gRPC breaks.
 */
type WireSafe<S extends z.ZodType> =
  z.output<S> extends Json ? (z.output<S> extends z.input<S> ? S : never) : never;

type WireSafeMethods<M extends RpcMethods> = {
  readonly [K in keyof M]: {
    readonly request: WireSafe<M[K]['request']>;
    readonly response: WireSafe<M[K]['response']>;
  };
};

/** Names become gRPC paths (`/idp.<service>/<method>`) and log fields. */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** A client is a plain object: `close` is its own, and `then` would make it thenable. */
const RESERVED = new Set(['close', 'then']);

export function defineRpc<const S extends string, M extends RpcMethods>(contract: {
  readonly service: S;
  readonly methods: M & WireSafeMethods<M>;
}): RpcContract<S, M> {
  if (!NAME.test(contract.service))
    throw new Error(`invalid rpc service name "${contract.service}"`);
  for (const name of Object.keys(contract.methods)) {
    if (!NAME.test(name) || RESERVED.has(name)) {
      throw new Error(`invalid rpc method name "${contract.service}.${name}"`);
    }
  }
  return Object.freeze({
    service: contract.service,
    methods: Object.freeze({ ...contract.methods }),
  });
}

/** The path of a method, in gRPC and in every log line of both adapters. */
export function rpcPath(service: string, method: string): string {
  return `/idp.${service}/${method}`;
}

export interface CallOptions {
  /** Deadline of this call; the client's default (5 s) otherwise. */
  readonly timeoutMs?: number;
  /** Carried to the handler (gRPC metadata `x-correlation-id`); a fresh UUID otherwise. */
  readonly correlationId?: string;
  /**
   * The caller gave up (its own client went away, the process is stopping):
   * the call is cancelled, the handler's `signal` aborts, and the call
   * rejects with temporarily_unavailable.
   */
  readonly signal?: AbortSignal;
}

export interface RpcContext {
  readonly correlationId: string;
  /** Aborted when the caller gave up (deadline passed, call cancelled): stop work early. */
  readonly signal: AbortSignal;
}

type MethodName<C extends RpcContract> = keyof C['methods'] & string;
type RequestOf<C extends RpcContract, K extends MethodName<C>> = C['methods'][K]['request'];
type ResponseOf<C extends RpcContract, K extends MethodName<C>> = C['methods'][K]['response'];

/** What callers get: every method validated, rejected only with OAuthError (or RpcContractError for our own bugs). */
export type RpcClient<C extends RpcContract> = {
  readonly [K in MethodName<C>]: (
    request: z.input<RequestOf<C, K>>,
    options?: CallOptions,
  ) => Promise<z.output<ResponseOf<C, K>>>;
};

/** A client holding a connection (or, in-process, a handle that can be shut). */
export type ClosableRpcClient<C extends RpcContract> = RpcClient<C> & { close(): void };

/** The parsed request a handler of method `K` gets (for handler classes, whose parameters are not inferred). */
export type RpcRequest<C extends RpcContract, K extends MethodName<C>> = z.output<RequestOf<C, K>>;

/** A value a contract's `z.json()` field takes (checked again by the dispatcher before it leaves). */
export type JsonValue = z.core.util.JSONType;

/** What a service implements: it gets the parsed request and may return the schema's input form. */
export type RpcHandlers<C extends RpcContract> = {
  readonly [K in MethodName<C>]: (
    request: z.output<RequestOf<C, K>>,
    context: RpcContext,
  ) => Promise<z.input<ResponseOf<C, K>>>;
};

/** One served contract; `services` arrays are type-checked element by element. */
export interface RpcBinding<C extends RpcContract = RpcContract> {
  readonly contract: C;
  readonly handlers: RpcHandlers<C>;
}

export type RpcBindings<T extends readonly RpcContract[]> = {
  readonly [I in keyof T]: RpcBinding<T[I]>;
};
