import type { RpcContext, RpcHandlers, RpcRequest } from '@idp/rpc';
import { RpcHandler } from '@idp/nest-kit';
import { runAsActor } from '@idp/eventsourcing';
import { SsfRpc } from '@idp/contracts';
import { SetDeadLetters } from './set-dead-letters.service';
import { SetPolling } from './set-polling.service';
import { SsfStreams } from './ssf-streams.service';

type Request<K extends keyof typeof SsfRpc.methods> = RpcRequest<typeof SsfRpc, K>;

/** session-service's SsfRpc (ADR 0023, 0035): thin adapters; changes run as the caller. */
@RpcHandler(SsfRpc)
export class SsfRpcHandlers implements RpcHandlers<typeof SsfRpc> {
  constructor(
    private readonly streams: SsfStreams,
    private readonly polling: SetPolling,
    private readonly deadLetters: SetDeadLetters,
  ) {}

  createStream({ clientId, config, actor }: Request<'createStream'>) {
    return runAsActor(actor, () => this.streams.create(clientId, config));
  }

  async readStreams({ clientId, streamId }: Request<'readStreams'>) {
    return { streams: await this.streams.read(clientId, streamId) };
  }

  updateStream({ clientId, streamId, config, replace, actor }: Request<'updateStream'>) {
    return runAsActor(actor, () => this.streams.update(clientId, streamId, config, replace));
  }

  deleteStream({ clientId, streamId, actor }: Request<'deleteStream'>) {
    return runAsActor(actor, async () => {
      await this.streams.delete(clientId, streamId);
      return {};
    });
  }

  readStatus({ clientId, streamId }: Request<'readStatus'>) {
    return this.streams.status(clientId, streamId);
  }

  updateStatus({ clientId, streamId, status, reason, actor }: Request<'updateStatus'>) {
    return runAsActor(actor, () => this.streams.setStatus(clientId, streamId, status, reason));
  }

  async addSubject({ clientId, streamId, subject }: Request<'addSubject'>) {
    await this.streams.addSubject(clientId, streamId, subject);
    return {};
  }

  async removeSubject({ clientId, streamId, subject }: Request<'removeSubject'>) {
    await this.streams.removeSubject(clientId, streamId, subject);
    return {};
  }

  async requestVerification({ clientId, streamId, state }: Request<'requestVerification'>) {
    await this.streams.verify(clientId, streamId, state);
    return {};
  }

  poll(
    { clientId, streamId, ack, setErrs, maxEvents, returnImmediately, waitMs }: Request<'poll'>,
    { signal }: RpcContext,
  ) {
    // RFC 8936 2.3: held only when the receiver asked for it, as long as the edge allows.
    const hold = returnImmediately ? 0 : (waitMs ?? 0);
    return this.polling.poll({ clientId, streamId, ack, setErrs, maxEvents, waitMs: hold, signal });
  }

  async listDeadLetters({ limit, after }: Request<'listDeadLetters'>) {
    return { deliveries: await this.deadLetters.list({ limit, ...(after ? { after } : {}) }) };
  }

  retryDeadLetter({ streamId, jti, actor }: Request<'retryDeadLetter'>) {
    return runAsActor(actor, async () => ({
      delivery: await this.deadLetters.retry({ streamId, jti }),
    }));
  }
}
