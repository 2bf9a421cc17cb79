// Logs, request context and telemetry shared by every app, the bus, rpc and the CLI (issue #14).
export {};
