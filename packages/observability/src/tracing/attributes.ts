/**
 * The OpenTelemetry semantic-convention names our spans use, as plain
 * strings: call sites import them even when tracing is off, and must not
 * load any OpenTelemetry module then. `attributes.spec.ts` checks each one
 * against @opentelemetry/semantic-conventions.
 */
export const ATTR = {
  httpRequestMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  networkProtocolVersion: 'network.protocol.version',
  errorType: 'error.type',
  rpcSystemName: 'rpc.system.name',
  rpcMethod: 'rpc.method',
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingOperationName: 'messaging.operation.name',
  messagingDestinationName: 'messaging.destination.name',
  messagingConsumerGroupName: 'messaging.consumer.group.name',
  messagingBatchMessageCount: 'messaging.batch.message_count',
  messagingMessageId: 'messaging.message.id',
  messagingPartitionId: 'messaging.destination.partition.id',
  messagingKafkaOffset: 'messaging.kafka.offset',
  dbSystemName: 'db.system.name',
  dbOperationName: 'db.operation.name',
  dbOperationBatchSize: 'db.operation.batch.size',
} as const;
