// Logs, request context and telemetry shared by every app, the bus, rpc and the CLI (issue #14).
export * from './context/request-context';
export * from './context/request-id';
export * from './context/trace-context';
export * from './logging/access-line';
export * from './logging/levels';
export * from './logging/logger';
export * from './logging/redaction';
export * from './tracing';
