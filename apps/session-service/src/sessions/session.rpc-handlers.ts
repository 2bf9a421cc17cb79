import type { RpcHandlers, RpcRequest } from '@idp/rpc';
import { RpcHandler } from '@idp/nest-kit';
import { runAsActor } from '@idp/eventsourcing';
import { SessionRpc } from '@idp/contracts';
import { SessionService } from './session.service';

type Request<K extends keyof typeof SessionRpc.methods> = RpcRequest<typeof SessionRpc, K>;

/**
 * session-service's RPC surface: thin adapters over SessionService. An end
 * the admin API asked for runs as its caller, so session.ended names it (ADR 0017).
 */
@RpcHandler(SessionRpc)
export class SessionRpcHandlers implements RpcHandlers<typeof SessionRpc> {
  constructor(private readonly sessions: SessionService) {}

  startSession(request: Request<'startSession'>) {
    return this.sessions.start(request);
  }

  async getSession({ sid, touch }: Request<'getSession'>) {
    return { session: await this.sessions.get(sid, touch ?? false) };
  }

  endSession({ actor, ...request }: Request<'endSession'>) {
    return runAsActor(actor, async () => ({ ended: await this.sessions.end(request) }));
  }

  endSessionsOfUser({ actor, sub, reason }: Request<'endSessionsOfUser'>) {
    return runAsActor(actor, async () => ({ ended: await this.sessions.endAllOf(sub, reason) }));
  }
}
