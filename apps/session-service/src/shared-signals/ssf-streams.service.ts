import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import {
  SSF_DELIVERY_PUSH,
  SSF_EVENT_TYPES,
  SSF_REQUESTABLE_EVENTS,
  type SsfStreamConfigView,
  type SsfStreamStatus,
  type SsfSubjectFormat,
} from '@idp/contracts';
import { randomBase64url } from '@idp/crypto';
import {
  ssfStream,
  ssfStreamDecider,
  type LiveSsfStream,
  type SsfStreamCommand,
  type SsfStreamConfigInput,
  type SsfStreamPolicy,
  type SsfStreamState,
} from '@idp/domain';
import type { CommandRunner } from '@idp/eventsourcing';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import { OAuthError } from '@idp/oauth-errors';
import { outboundPolicyOf } from '@idp/outbound';
import type { AuthorizationBox } from './authorization-box';
import { deliveryFor, type SetFanOut } from './set-fan-out';
import { ssfErrors, streamNotFound } from './ssf-errors';
import { SSF_STORE, type SsfStore } from './ssf-store.port';
import { AUTHORIZATION_BOX, SET_FAN_OUT } from './ssf.tokens';
import { streamConfigView, streamRowOf } from './stream-views';

/** What the RPC contract carries as a stream configuration (SSF 1.0 member names). */
export interface StreamConfigRequest {
  readonly events_requested?: readonly string[] | undefined;
  readonly delivery?:
    | {
        readonly method: string;
        readonly endpoint_url?: string | undefined;
        readonly authorization_header?: string | undefined;
      }
    | undefined;
  readonly description?: string | undefined;
  readonly format?: SsfSubjectFormat | undefined;
}

/**
 * Stream lifecycle (SSF 1.0 8.1.1 to 8.1.3) over `ssf-stream-<id>` event
 * streams decided by ssfStreamDecider; after each change the working copy
 * (`ssf_streams`) is written from the decided state, and the session-topic
 * consumer writes it again from the events (the copy is correct even if
 * this process dies in between, ADR 0035).
 */
@Injectable()
export class SsfStreams {
  private readonly policy: SsfStreamPolicy;

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(SSF_STORE) private readonly store: SsfStore,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(AUTHORIZATION_BOX) private readonly box: AuthorizationBox,
    @Inject(SET_FAN_OUT) private readonly fanOut: SetFanOut,
  ) {
    this.policy = {
      supportedEvents: SSF_REQUESTABLE_EVENTS,
      outbound: outboundPolicyOf(config),
      maxStreamsPerReceiver: config.SSF_MAX_STREAMS_PER_RECEIVER,
      maxExcludedSubjects: config.SSF_MAX_EXCLUDED_SUBJECTS,
    };
  }

  create(clientId: string, config: StreamConfigRequest): Promise<SsfStreamConfigView> {
    return ssfErrors(async () => {
      // 128 random bits: a stream id names a receiver's stream in URLs and must not be guessable.
      const streamId = randomBase64url(16);
      const receiverStreams = (await this.store.streamsOf(clientId)).length;
      const state = live(
        await this.execute(streamId, {
          type: 'CreateSsfStream',
          clientId,
          streamId,
          config: this.input(streamId, config),
          receiverStreams,
          policy: this.policy,
        }),
      );
      return streamConfigView(
        state,
        this.config.ISSUER,
        this.config.SSF_MIN_VERIFICATION_INTERVAL_S,
      );
    });
  }

  read(clientId: string, streamId?: string): Promise<SsfStreamConfigView[]> {
    return ssfErrors(async () => {
      const ids =
        streamId === undefined
          ? (await this.store.streamsOf(clientId)).map((s) => s.streamId)
          : [streamId];
      const states = await Promise.all(ids.map((id) => this.load(id)));
      const live = states.filter(
        (s): s is LiveSsfStream => s.status === 'live' && s.clientId === clientId,
      );
      if (streamId !== undefined && live.length === 0) throw streamNotFound();
      return live.map((s) =>
        streamConfigView(s, this.config.ISSUER, this.config.SSF_MIN_VERIFICATION_INTERVAL_S),
      );
    });
  }

  update(
    clientId: string,
    streamId: string,
    config: StreamConfigRequest,
    replace: boolean,
  ): Promise<SsfStreamConfigView> {
    return ssfErrors(async () => {
      const state = live(
        await this.execute(streamId, {
          type: 'UpdateSsfStream',
          clientId,
          config: this.input(streamId, config),
          replace,
          policy: this.policy,
        }),
      );
      return streamConfigView(
        state,
        this.config.ISSUER,
        this.config.SSF_MIN_VERIFICATION_INTERVAL_S,
      );
    });
  }

  delete(clientId: string, streamId: string): Promise<void> {
    return ssfErrors(async () => {
      await this.execute(streamId, { type: 'DeleteSsfStream', clientId });
    });
  }

  status(clientId: string, streamId: string) {
    return ssfErrors(async () => {
      const state = await this.load(streamId);
      if (state.status !== 'live' || state.clientId !== clientId) throw streamNotFound();
      return statusView(state);
    });
  }

  setStatus(clientId: string, streamId: string, status: SsfStreamStatus, reason?: string) {
    return ssfErrors(async () => {
      const before = await this.load(streamId);
      const state = live(
        await this.execute(streamId, {
          type: 'SetSsfStreamStatus',
          clientId,
          streamStatus: status,
          ...(reason === undefined ? {} : { reason }),
        }),
      );
      if (before.status === 'live' && before.streamStatus !== state.streamStatus)
        await this.announceStatus(state);
      return statusView(state);
    });
  }

  addSubject(clientId: string, streamId: string, subject: Record<string, unknown>) {
    return this.subject('AddSsfSubject', clientId, streamId, subject);
  }

  removeSubject(clientId: string, streamId: string, subject: Record<string, unknown>) {
    return this.subject('RemoveSsfSubject', clientId, streamId, subject);
  }

  /** SSF 1.0 8.1.4: a verification SET carrying `state`, sent whatever the stream requested. */
  verify(clientId: string, streamId: string, state?: string): Promise<void> {
    return ssfErrors(async () => {
      const row = await this.store.getStream(streamId);
      if (row === undefined || row.clientId !== clientId || row.status === 'deleted')
        throw streamNotFound();
      if (row.status === 'disabled')
        throw new OAuthError('invalid_request', {
          status: 400,
          description: 'the stream is disabled',
        });
      const now = Date.now();
      const spaced = await this.spaceVerifications(streamId, now);
      try {
        await this.fanOut.queue([
          deliveryFor(row, {
            eventType: SSF_EVENT_TYPES.verification,
            sourceKey: `verification:${randomBase64url(16)}`,
            iat: Math.floor(now / 1000),
            subId: { format: 'opaque', id: streamId },
            payload: state === undefined ? {} : { state },
          }),
        ]);
      } catch (err) {
        // No SET was queued: the receiver's retry must not wait out the interval for it.
        if (spaced)
          await this.store
            .cancelVerification(streamId, now)
            .catch(() => undefined /* the error that matters is the queue's */);
        throw err;
      }
    });
  }

  /**
   * SSF 1.0 8.1.4.2 min_verification_interval: one verification per
   * interval per stream, decided by one conditional update of the working
   * copy (two replicas cannot both pass); sooner is 429 with Retry-After.
   */
  private async spaceVerifications(streamId: string, now: number): Promise<boolean> {
    const seconds = this.config.SSF_MIN_VERIFICATION_INTERVAL_S;
    if (seconds === 0) return false;
    const started = await this.store.startVerification(streamId, now, seconds * 1000);
    if (started.ok) return true;
    const retryAfter = Math.ceil(started.retryAfterMs / 1000);
    throw new OAuthError('temporarily_unavailable', {
      status: 429,
      description: `one verification per ${seconds} seconds (min_verification_interval); try again in ${retryAfter}`,
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  /** The working copy of one stream, from its events (the consumer's path). */
  async refresh(streamId: string): Promise<void> {
    const { state, version } = await this.runner.load(ssfStreamDecider, ssfStream(streamId));
    await this.write(state, version);
  }

  private async subject(
    type: 'AddSsfSubject' | 'RemoveSsfSubject',
    clientId: string,
    streamId: string,
    subject: Record<string, unknown>,
  ): Promise<void> {
    return ssfErrors(async () => {
      await this.execute(streamId, { type, clientId, subject, policy: this.policy });
    });
  }

  private async load(streamId: string): Promise<SsfStreamState> {
    return (await this.runner.load(ssfStreamDecider, ssfStream(streamId))).state;
  }

  /** Runs a command and writes the working copy; the stream as it is now. */
  private async execute(
    streamId: string,
    command: DistributiveOmit<SsfStreamCommand, 'meta'>,
  ): Promise<SsfStreamState> {
    const meta = this.runner.requestMeta();
    const full = { ...command, meta } as unknown as Parameters<CommandRunner['run']>[2];
    const result =
      command.type === 'CreateSsfStream'
        ? await this.runner.runNew(ssfStreamDecider, ssfStream(streamId), full as never)
        : await this.runner.run(ssfStreamDecider, ssfStream(streamId), full as never);
    const state = result.state as SsfStreamState;
    if (result.appended.length > 0) await this.write(state, result.nextVersion);
    return state;
  }

  private async write(state: SsfStreamState, version: number): Promise<void> {
    if (state.status === 'none') return;
    const before = await this.store.getStream(state.streamId);
    await this.store.upsertStream(streamRowOf(state, version));
    // Disabled: its SETs are not kept; deleted: nothing of it is (SSF 1.0 8.1.2).
    if (state.status === 'deleted') await this.store.dropAll(state.streamId);
    else if (state.streamStatus === 'disabled') await this.store.dropPending(state.streamId);
    else {
      // Leaving disabled: whatever is pending was queued before now, by a fan-out that raced
      // the disable on PostgreSQL (ADR 0035); the stream gets only what happens from now on.
      if (before?.status === 'disabled' && before.version < version)
        await this.store.dropPending(state.streamId);
      if (state.streamStatus === 'enabled') this.fanOut.wakeDispatcher();
    }
  }

  /** SSF 1.0 8.1.5: the receiver hears of a status change by a stream-updated SET. */
  private async announceStatus(state: LiveSsfStream): Promise<void> {
    if (state.streamStatus === 'disabled') return;
    const row = streamRowOf(state, 0);
    const now = Date.now();
    await this.fanOut.queue([
      deliveryFor(row, {
        eventType: SSF_EVENT_TYPES.streamUpdated,
        sourceKey: `stream-updated:${randomBase64url(16)}`,
        iat: Math.floor(now / 1000),
        subId: { format: 'opaque', id: state.streamId },
        payload: {
          status: state.streamStatus,
          ...(state.reason === undefined ? {} : { reason: state.reason }),
        },
      }),
    ]);
  }

  /** The contract's configuration as the decider takes it; the header sealed to this stream. */
  private input(streamId: string, config: StreamConfigRequest): SsfStreamConfigInput {
    const { delivery } = config;
    let decided: SsfStreamConfigInput['delivery'];
    if (delivery !== undefined) {
      if (delivery.method === SSF_DELIVERY_PUSH) {
        if (delivery.endpoint_url === undefined)
          throw new OAuthError('invalid_request', {
            description: 'push delivery needs an endpoint_url',
          });
        const header = delivery.authorization_header;
        if (header !== undefined && !this.box.canSeal)
          throw new OAuthError('invalid_request', {
            description:
              'this transmitter cannot keep an authorization_header (KEY_ENCRYPTION_KEY is not set for session-service)',
          });
        decided = {
          method: 'push',
          endpointUrl: delivery.endpoint_url,
          ...(header === undefined ? {} : { sealedAuthorization: this.box.seal(streamId, header) }),
        };
      } else decided = { method: 'poll' };
    }
    return {
      ...(config.events_requested === undefined
        ? {}
        : { eventsRequested: config.events_requested }),
      ...(decided === undefined ? {} : { delivery: decided }),
      ...(config.description === undefined ? {} : { description: config.description }),
      ...(config.format === undefined ? {} : { subjectFormat: config.format }),
    };
  }
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

/** The decider answers another receiver's or a deleted stream with ssf.not_found; this is the type's side. */
function live(state: SsfStreamState): LiveSsfStream {
  if (state.status !== 'live') throw streamNotFound();
  return state;
}

function statusView(state: LiveSsfStream) {
  return {
    stream_id: state.streamId,
    status: state.streamStatus,
    ...(state.reason === undefined ? {} : { reason: state.reason }),
  };
}
