import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { STREAM_PREFIX, type SessionView } from '@idp/contracts';
import { randomBase64url } from '@idp/crypto';
import { EVENT_STORE, STREAMS_WHERE_MAX, type EventStore } from '@idp/eventstore';
import {
  sessionDecider,
  sessionIsLive,
  sessionStream,
  type IdleExtension,
  type SessionEndReason,
  type SessionState,
} from '@idp/domain';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';

function view(state: SessionState, now: number): SessionView | null {
  if (!sessionIsLive(state, now)) return null;
  const { sid, sub, authTime, amr, acr, clientIds, idleExpiresAt, absoluteExpiresAt } = state;
  return {
    sid,
    sub,
    authTime,
    amr: [...amr],
    ...(acr ? { acr } : {}),
    clientIds: [...clientIds],
    idleExpiresAt,
    absoluteExpiresAt,
  };
}

/** SSO sessions as event streams (`session-<sid>`); the stream is the only state. */
@Injectable()
export class SessionService {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async start(input: {
    sub: string;
    amr: readonly string[];
    acr?: string | undefined;
  }): Promise<SessionView> {
    // 128 random bits: the sid goes into ID tokens and logout tokens, so it must not be guessable.
    const sid = randomBase64url(16);
    const meta = this.runner.requestMeta();
    const result = await this.runner.runNew(sessionDecider, sessionStream(sid), {
      type: 'StartSession',
      sid,
      sub: input.sub,
      amr: input.amr,
      ...(input.acr ? { acr: input.acr } : {}),
      lifetimes: {
        idleSeconds: this.config.SESSION_IDLE_TTL,
        absoluteSeconds: this.config.SESSION_ABSOLUTE_TTL,
      },
      meta,
    });
    const started = view(result.state, meta.now);
    if (!started) throw new Error('session did not start');
    return started;
  }

  /**
   * The live session, or null. `touch`: the session is being used, so its
   * idle expiry moves forward; only when an extension is due does this write
   * (a read otherwise), so reuse on every request stays cheap.
   */
  async get(sid: string, touch = false): Promise<SessionView | null> {
    const meta = this.runner.requestMeta();
    const { state } = await this.runner.load(sessionDecider, sessionStream(sid));
    const live = view(state, meta.now);
    if (!touch || live === null || !this.extensionDue(state, meta.now)) return live;
    const result = await this.runner.run(sessionDecider, sessionStream(sid), {
      type: 'ExtendSession',
      extension: this.extension,
      meta,
    });
    return view(result.state, meta.now);
  }

  /** SESSION_IDLE_EXTENSION_INTERVAL, shortened for short idle lifetimes so they still slide. */
  private get extension(): IdleExtension {
    const idleSeconds = this.config.SESSION_IDLE_TTL;
    return {
      idleSeconds,
      minIntervalSeconds: Math.min(
        this.config.SESSION_IDLE_EXTENSION_INTERVAL,
        Math.floor(idleSeconds / 4),
      ),
    };
  }

  /** The decider decides; this only spares a write attempt when it would decide nothing. */
  private extensionDue(state: SessionState, now: number): boolean {
    return (
      sessionDecider.decide(
        {
          type: 'ExtendSession',
          extension: this.extension,
          meta: this.runner.stamp({ now, correlationId: '' }),
        },
        state,
      ).length > 0
    );
  }

  /**
   * A client received tokens in this session: it must hear about its end
   * (back-channel logout). Heard after the end, the join is recorded as
   * session.client_joined_after_end and the logout is delivered to it then.
   */
  async join(
    sid: string,
    clientId: string,
    grantId: string | undefined,
    correlationId: string,
  ): Promise<void> {
    const stream = sessionStream(sid);
    // Every token of a session's refresh chain repeats its client's join. A session's clients
    // only ever grow (ended sessions keep theirs) and a client joins once, so a kept state that
    // lists the client decides nothing, however far behind the stream it is: no read (ADR 0025).
    const kept = this.runner.keptState(sessionDecider, stream);
    if (kept !== undefined && kept.status !== 'none' && kept.clientIds.includes(clientId)) return;
    await this.runner.run(sessionDecider, stream, {
      type: 'JoinClient',
      clientId,
      ...(grantId ? { grantId } : {}),
      extension: this.extension,
      meta: this.runner.requestMeta(correlationId),
    });
  }

  /**
   * Ends the session with a session.ended event (idempotent: null when it is
   * unknown or already ended). Expired sessions end too, so their clients
   * still hear about the logout.
   */
  async end(input: {
    sid: string;
    reason: EndReason;
    initiatedBy?: string | undefined;
    /** The event that ends it (a reuse detection, ADR 0038): session.ended names it as its cause. */
    cause?: { readonly id: string; readonly correlationId: string } | undefined;
  }): Promise<EndedSession | null> {
    const meta = this.runner.requestMeta(input.cause?.correlationId);
    const result = await this.runner.run(sessionDecider, sessionStream(input.sid), {
      type: 'EndSession',
      reason: input.reason,
      ...(input.initiatedBy ? { initiatedBy: input.initiatedBy } : {}),
      meta: input.cause === undefined ? meta : { ...meta, causationId: input.cause.id },
    });
    // Nothing appended: unknown or already ended. Otherwise the state says who took part.
    if (result.appended.length === 0 || result.state.status !== 'ended') return null;
    const { sid, sub, clientIds } = result.state;
    return { sid, sub, clientIds: [...clientIds] };
  }

  /** Ends every session of `sub` that has not ended yet; sessions are found by the indexed sub. */
  async endAllOf(sub: string, reason: EndReason): Promise<EndedSession[]> {
    const ended: EndedSession[] = [];
    for (let after = ''; ;) {
      const page = await this.store.streamsWhere({
        streamPrefix: STREAM_PREFIX.session,
        field: 'sub',
        value: sub,
        after,
      });
      for (const stream of page) {
        const result = await this.end({ sid: stream.slice(STREAM_PREFIX.session.length), reason });
        if (result) ended.push(result);
      }
      if (page.length < STREAMS_WHERE_MAX) break;
      after = page[page.length - 1] ?? '';
    }
    return ended;
  }
}

type EndReason = SessionEndReason;

export interface EndedSession {
  readonly sid: string;
  readonly sub: string;
  readonly clientIds: string[];
}
