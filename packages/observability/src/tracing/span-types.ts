/** The five OpenTelemetry span kinds, by name (the API's enum is only loaded when tracing is on). */
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type SpanAttributeValue = string | number | boolean;
/** Attributes; undefined values are left out. */
export type SpanAttributes = Readonly<Record<string, SpanAttributeValue | undefined>>;

/** A parent from across a process boundary, as its carrier held it (validated before use). */
export interface RemoteParent {
  readonly traceparent?: unknown;
  readonly tracestate?: unknown;
}

export interface SpanOptions {
  readonly kind?: SpanKindName;
  readonly attributes?: SpanAttributes;
  /** Traceparents of related work in other traces (a batch's messages); invalid ones are skipped. */
  readonly links?: readonly (string | undefined)[];
  /**
   * Absent: the current span (the request context's traceparent). A remote
   * parent: continues that trace (an invalid or missing traceparent starts a
   * new one). `null`: a new trace.
   */
  readonly parent?: RemoteParent | null;
}

/** One span, as the code that started it sees it. */
export interface TraceSpan {
  /** The W3C traceparent naming this span: what the next hop gets as its parent. */
  readonly traceparent: string;
  readonly tracestate?: string;
  readonly traceId: string;
  readonly spanId: string;
  setAttribute(key: string, value: SpanAttributeValue | undefined): void;
  updateName(name: string): void;
  /**
   * Marks the span failed. Only the error's kind is recorded (`error.type`:
   * the string given, an OAuth error code or the class name), never its
   * message: messages can quote input.
   */
  fail(error: unknown): void;
  end(): void;
}

/** What a tracer implementation provides; installed by `startTracing`. */
export interface TracerBackend {
  /** `parent` undefined: the backend's active span, if any. */
  start(
    name: string,
    options: SpanOptions,
    parent: { readonly traceparent: string; readonly tracestate?: string } | 'root' | undefined,
  ): TraceSpan;
  /** Runs `fn` with `span` as the backend's active span. */
  runActive<T>(span: TraceSpan, fn: () => T): T;
}
