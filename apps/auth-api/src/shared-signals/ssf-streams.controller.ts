import { Controller, Delete, Get, HttpCode, Patch, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ssfRpcMethods } from '@idp/contracts';
import { JsonBody, StrictQuery } from '@idp/nest-kit';
import { NO_STORE, OAuthError } from '@idp/oauth-errors';
import { RateLimit } from '../http/rate-limit.guard';
import { SSF_PATHS } from './ssf-paths';
import { SsfReceivers } from './ssf-receivers';
import {
  checkedRpcRequest,
  queryStreamId,
  requireQueryStreamId,
  ssfBody,
  streamIdOf,
  TRANSMITTER_SUPPLIED,
} from './ssf-requests';
import { SsfRpcAccess } from './ssf-rpc-access';

/** A stream configuration is a few hundred bytes; 16 KiB leaves room for a long authorization header. */
const CONFIG_BODY = { limit: 16 * 1024, refuseQuery: true } as const;
const RECEIVER_SUPPLIED = ['events_requested', 'delivery', 'description', 'format'] as const;
const m = ssfRpcMethods;

/**
 * The SSF 1.0 stream management API (section 8), the receiver-facing half
 * of the transmitter (ADR 0036): the edge authenticates the receiver (its
 * access token's client, SsfReceivers), checks the JSON and forwards to
 * session-service's SsfRpc, which owns the streams. A stream of another
 * receiver is the same 404 as one that does not exist. Every answer is
 * `no-store`: a stream configuration is the receiver's own.
 */
@Controller()
@RateLimit('ssf')
export class SsfStreamsController {
  constructor(
    private readonly receivers: SsfReceivers,
    private readonly transmitter: SsfRpcAccess,
  ) {}

  /** SSF 1.0 8.1.1.1: 201 with the stream's configuration. */
  @Post(SSF_PATHS.stream)
  @JsonBody(CONFIG_BODY)
  async create(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const clientId = await this.receivers.authenticate(request, 'write');
    const body = ssfBody(request, RECEIVER_SUPPLIED, TRANSMITTER_SUPPLIED);
    const rpc = checkedRpcRequest(m.createStream.request, {
      clientId,
      config: body,
      actor: { kind: 'client', client_id: clientId },
    });
    const created = await this.transmitter.rpc.createStream(rpc);
    reply.status(201).headers(NO_STORE);
    return created;
  }

  /**
   * SSF 1.0 8.1.1.2: with `stream_id`, that stream's configuration; without,
   * a JSON array of every stream of the receiver.
   */
  @Get(SSF_PATHS.stream)
  @StrictQuery()
  async read(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const clientId = await this.receivers.authenticate(request, 'read');
    const streamId = queryStreamId(request);
    const { streams } = await this.transmitter.rpc.readStreams(
      streamId === undefined ? { clientId } : { clientId, streamId },
    );
    reply.headers(NO_STORE);
    if (streamId === undefined) return streams;
    const [stream] = streams;
    if (stream === undefined) throw notFound();
    return stream;
  }

  /** SSF 1.0 8.1.1.3: the members given change, the others stay. */
  @Patch(SSF_PATHS.stream)
  @JsonBody(CONFIG_BODY)
  update(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.write(request, reply, false);
  }

  /** SSF 1.0 8.1.1.4: the receiver-supplied members are replaced as a whole. */
  @Put(SSF_PATHS.stream)
  @JsonBody(CONFIG_BODY)
  replace(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.write(request, reply, true);
  }

  /** SSF 1.0 8.1.1.5: 204; the stream's undelivered SETs are dropped. */
  @Delete(SSF_PATHS.stream)
  @StrictQuery()
  @HttpCode(204)
  async remove(@Req() request: FastifyRequest): Promise<void> {
    const clientId = await this.receivers.authenticate(request, 'write');
    const streamId = requireQueryStreamId(request);
    await this.transmitter.rpc.deleteStream({
      clientId,
      streamId,
      actor: { kind: 'client', client_id: clientId },
    });
  }

  /** SSF 1.0 8.1.2.1. */
  @Get(SSF_PATHS.status)
  @StrictQuery()
  async status(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const clientId = await this.receivers.authenticate(request, 'read');
    const streamId = requireQueryStreamId(request);
    const status = await this.transmitter.rpc.readStatus({ clientId, streamId });
    reply.headers(NO_STORE);
    return status;
  }

  /** SSF 1.0 8.1.2.2: enabled, paused (SETs held) or disabled (SETs dropped). */
  @Post(SSF_PATHS.status)
  @JsonBody(CONFIG_BODY)
  @HttpCode(200)
  async setStatus(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const clientId = await this.receivers.authenticate(request, 'write');
    const body = ssfBody(request, ['stream_id', 'status', 'reason']);
    const rpc = checkedRpcRequest(m.updateStatus.request, {
      clientId,
      streamId: streamIdOf(body),
      status: body['status'],
      ...(body['reason'] === undefined ? {} : { reason: body['reason'] }),
      actor: { kind: 'client', client_id: clientId },
    });
    const status = await this.transmitter.rpc.updateStatus(rpc);
    reply.headers(NO_STORE);
    return status;
  }

  /** SSF 1.0 8.1.3.2: 200 with an empty body. */
  @Post(SSF_PATHS.addSubject)
  @JsonBody(CONFIG_BODY)
  @HttpCode(200)
  async addSubject(@Req() request: FastifyRequest): Promise<void> {
    const clientId = await this.receivers.authenticate(request, 'write');
    const body = ssfBody(request, ['stream_id', 'subject', 'verified']);
    const rpc = checkedRpcRequest(m.addSubject.request, {
      clientId,
      streamId: streamIdOf(body),
      subject: body['subject'],
      ...(body['verified'] === undefined ? {} : { verified: body['verified'] }),
    });
    await this.transmitter.rpc.addSubject(rpc);
  }

  /** SSF 1.0 8.1.3.3: 204. */
  @Post(SSF_PATHS.removeSubject)
  @JsonBody(CONFIG_BODY)
  @HttpCode(204)
  async removeSubject(@Req() request: FastifyRequest): Promise<void> {
    const clientId = await this.receivers.authenticate(request, 'write');
    const body = ssfBody(request, ['stream_id', 'subject']);
    const rpc = checkedRpcRequest(m.removeSubject.request, {
      clientId,
      streamId: streamIdOf(body),
      subject: body['subject'],
    });
    await this.transmitter.rpc.removeSubject(rpc);
  }

  /** SSF 1.0 8.1.4.2: 204; a verification SET carrying `state` follows on the stream. */
  @Post(SSF_PATHS.verify)
  @JsonBody(CONFIG_BODY)
  @HttpCode(204)
  async verify(@Req() request: FastifyRequest): Promise<void> {
    const clientId = await this.receivers.authenticate(request, 'write');
    const body = ssfBody(request, ['stream_id', 'state']);
    const rpc = checkedRpcRequest(m.requestVerification.request, {
      clientId,
      streamId: streamIdOf(body),
      ...(body['state'] === undefined ? {} : { state: body['state'] }),
    });
    await this.transmitter.rpc.requestVerification(rpc);
  }

  private async write(request: FastifyRequest, reply: FastifyReply, replace: boolean) {
    const clientId = await this.receivers.authenticate(request, 'write');
    const body = ssfBody(request, ['stream_id', ...RECEIVER_SUPPLIED], TRANSMITTER_SUPPLIED);
    const streamId = streamIdOf(body);
    const config = Object.fromEntries(
      Object.entries(body).filter(([name]) => name !== 'stream_id'),
    );
    const rpc = checkedRpcRequest(m.updateStream.request, {
      clientId,
      streamId,
      config,
      replace,
      actor: { kind: 'client', client_id: clientId },
    });
    const updated = await this.transmitter.rpc.updateStream(rpc);
    reply.headers(NO_STORE);
    return updated;
  }
}

/** The transmitter answers an unknown stream with this too; the edge says it the same way. */
function notFound(): OAuthError {
  return new OAuthError('invalid_request', { status: 404, description: 'no such stream' });
}
