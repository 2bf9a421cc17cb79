/** publish() while the transport is not connected: the caller (outbox relay) keeps the row and retries. */
export class BusNotReadyError extends Error {
  override readonly name = 'BusNotReadyError';
  constructor(message = 'event bus is not connected') {
    super(message);
  }
}

export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';
  constructor() {
    super('event bus is closed');
  }
}

/**
 * A topic the bus was not configured with. Rejected up front because Kafka runs
 * with auto topic creation off, where such a publish would only fail after retries.
 */
export class UnknownTopicError extends Error {
  override readonly name = 'UnknownTopicError';
  constructor(readonly topic: string) {
    super(`topic ${topic} is not configured on this event bus`);
  }
}
