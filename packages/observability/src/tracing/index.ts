// Traces (issue #14): a span API that costs nothing until startTracing loads the SDK.
export * from './attributes';
export * from './span-types';
export {
  contextInSpan,
  currentSpanId,
  runInSpan,
  spanFromTraceparent,
  startSpan,
  tracingEnabled,
  withSpan,
} from './spans';
export { startTracing, tracingConfigured, type StartTracingOptions, type Tracing } from './start';
