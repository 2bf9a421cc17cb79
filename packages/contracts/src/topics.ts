/**
 * Kafka topics, defined once. Names follow `<domain>.<visibility>.<entity>.events`;
 * the schema version lives in each envelope, not in the topic name.
 * Partition key = stream id, so one aggregate's events stay in order.
 */
export const TOPICS = {
  token: 'idp.internal.token.events',
  session: 'idp.internal.session.events',
  client: 'idp.internal.client.events',
  key: 'idp.internal.key.events',
  user: 'idp.internal.user.events',
  resource: 'idp.internal.resource.events',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);

/** Where a consumer puts an event it cannot parse or cannot handle after its retries. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Stream id prefixes, one per aggregate (ARCHITECTURE.md, "The event log"). */
export const STREAM_PREFIX = {
  grant: 'grant-',
  session: 'session-',
  client: 'client-',
  key: 'key-',
  user: 'user-',
  username: 'username-',
  resource: 'resource-',
  loginThrottle: 'login-throttle-',
  device: 'device-',
  ssfStream: 'ssf-stream-',
} as const;

export type AggregateKind = keyof typeof STREAM_PREFIX;

export function streamId(kind: AggregateKind, id: string): string {
  return STREAM_PREFIX[kind] + id;
}

/** Every stream's events go to exactly one topic. */
export function topicForStream(stream: string): Topic {
  if (stream.startsWith(STREAM_PREFIX.grant)) return TOPICS.token;
  if (stream.startsWith(STREAM_PREFIX.session)) return TOPICS.session;
  if (stream.startsWith(STREAM_PREFIX.client)) return TOPICS.client;
  if (stream.startsWith(STREAM_PREFIX.key)) return TOPICS.key;
  if (stream.startsWith(STREAM_PREFIX.user)) return TOPICS.user;
  if (stream.startsWith(STREAM_PREFIX.username)) return TOPICS.user;
  if (stream.startsWith(STREAM_PREFIX.resource)) return TOPICS.resource;
  // Audit of sign-in locks: with the user events, which their readers already follow.
  if (stream.startsWith(STREAM_PREFIX.loginThrottle)) return TOPICS.user;
  // Device authorizations (RFC 8628) end in tokens: with the grants, whose readers skip them.
  if (stream.startsWith(STREAM_PREFIX.device)) return TOPICS.token;
  // Shared Signals streams (ADR 0035): session-service owns them and already reads this topic.
  if (stream.startsWith(STREAM_PREFIX.ssfStream)) return TOPICS.session;
  throw new Error(`no topic for stream ${stream}`);
}

export function partitionKey(stream: string): string {
  return stream;
}
