export {
  defineRpc,
  rpcPath,
  type CallOptions,
  type JsonValue,
  type ClosableRpcClient,
  type RpcBinding,
  type RpcBindings,
  type RpcClient,
  type RpcContext,
  type RpcContract,
  type RpcHandlers,
  type RpcMethodSchemas,
  type RpcMethods,
  type RpcRequest,
} from '@idp/contracts';
export { inProcessClient, type InProcessClientOptions } from './in-process';
export {
  createRpcServer,
  type RpcServer,
  type RpcServerOptions,
  type RpcServerTls,
} from './grpc-server';
export { grpcClient, type GrpcClientOptions, type RpcClientTls } from './grpc-client';
export { defaultRpcLogger, silentRpcLogger, type RpcLogger } from './logger';
export {
  CORRELATION_METADATA,
  DEFAULT_TIMEOUT_MS,
  ERROR_METADATA,
  MAX_MESSAGE_BYTES,
  RpcContractError,
} from './wire';
