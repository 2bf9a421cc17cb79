import {
  SsfStreamCreated,
  SsfStreamDeleted,
  SsfStreamStatusChanged,
  SsfStreamUpdated,
  SsfSubjectAdded,
  SsfSubjectRemoved,
  type PendingEvent,
  type SsfEvent,
  type SsfStreamDelivery,
  type SsfSubjectFormat,
} from '@idp/contracts';
import {
  assertNever,
  DomainRuleError,
  eventMeta,
  type CommandMeta,
  type Decider,
} from '../decider';
import type { OutboundPolicy } from '../outbound';
import { subjectKey, type SubjectIdentifier } from './ssf-subjects';
import { checkPushEndpoint, eventsDelivered } from './ssf-stream.rules';

export type SsfStreamStatus = 'enabled' | 'paused' | 'disabled';

export interface LiveSsfStream {
  readonly status: 'live';
  readonly streamId: string;
  readonly clientId: string;
  readonly eventsRequested: readonly string[];
  readonly eventsDelivered: readonly string[];
  readonly delivery: SsfStreamDelivery;
  readonly description?: string;
  /** The subject identifier format the receiver asked for; absent: each event type's own shape. */
  readonly subjectFormat?: SsfSubjectFormat;
  readonly streamStatus: SsfStreamStatus;
  readonly reason?: string;
  /** Canonical keys (ssf-subjects) of the subjects the receiver removed. */
  readonly excluded: readonly string[];
}
export type SsfStreamState =
  | { readonly status: 'none' }
  | { readonly status: 'deleted'; readonly streamId: string; readonly clientId: string }
  | LiveSsfStream;

/**
 * A receiver's configuration as the stream-management API received it.
 * `delivery` absent on create means poll (SSF 1.0 8.1.1: the transmitter
 * picks); the authorization header arrives already sealed (the decider
 * never sees the receiver's secret).
 */
export interface SsfStreamConfigInput {
  readonly eventsRequested?: readonly string[];
  readonly delivery?:
    | {
        readonly method: 'push';
        readonly endpointUrl: string;
        readonly sealedAuthorization?: string;
      }
    | { readonly method: 'poll' };
  readonly description?: string;
  readonly subjectFormat?: SsfSubjectFormat;
}

/** What the rules need from outside the stream: settings and facts the caller read. */
export interface SsfStreamPolicy {
  /** The event types this transmitter can send (SSF_REQUESTABLE_EVENTS). */
  readonly supportedEvents: readonly string[];
  readonly outbound: OutboundPolicy;
  readonly maxStreamsPerReceiver: number;
  readonly maxExcludedSubjects: number;
}

interface Base {
  /** The receiver calling: a stream of another receiver does not exist for it. */
  readonly clientId: string;
  readonly meta: CommandMeta;
}
export type SsfStreamCommand =
  | (Base & {
      readonly type: 'CreateSsfStream';
      readonly streamId: string;
      readonly config: SsfStreamConfigInput;
      /** How many live streams the receiver owns now (the working copy). */
      readonly receiverStreams: number;
      readonly policy: SsfStreamPolicy;
    })
  | (Base & {
      readonly type: 'UpdateSsfStream';
      readonly config: SsfStreamConfigInput;
      /** PUT replaces the configuration; PATCH changes the members given. */
      readonly replace: boolean;
      readonly policy: SsfStreamPolicy;
    })
  | (Base & {
      readonly type: 'SetSsfStreamStatus';
      readonly streamStatus: SsfStreamStatus;
      readonly reason?: string;
    })
  | (Base & { readonly type: 'DeleteSsfStream' })
  | (Base & {
      readonly type: 'AddSsfSubject' | 'RemoveSsfSubject';
      readonly subject: SubjectIdentifier;
      readonly policy: Pick<SsfStreamPolicy, 'maxExcludedSubjects'>;
    });

type PendingSsfEvent = PendingEvent<SsfEvent['type'], SsfEvent['data']>;

function notFound(): DomainRuleError {
  return new DomainRuleError('ssf.not_found', 'no such stream');
}

/** The stream as its caller may see it: another receiver's, or a deleted one, is not found. */
function owned(state: SsfStreamState, clientId: string): LiveSsfStream {
  if (state.status !== 'live' || state.clientId !== clientId) throw notFound();
  return state;
}

function configuration(
  streamId: string,
  clientId: string,
  input: SsfStreamConfigInput,
  delivery: SsfStreamDelivery,
  policy: SsfStreamPolicy,
) {
  const requested = [...new Set(input.eventsRequested ?? [])];
  if (delivery.method === 'push') checkPushEndpoint(policy.outbound, delivery.endpointUrl);
  return {
    streamId,
    clientId,
    eventsRequested: requested,
    eventsDelivered: eventsDelivered(requested, policy.supportedEvents),
    delivery,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.subjectFormat === undefined ? {} : { subjectFormat: input.subjectFormat }),
  };
}

function toDelivery(input: SsfStreamConfigInput['delivery']): SsfStreamDelivery {
  if (input === undefined || input.method === 'poll') return { method: 'poll' };
  return {
    method: 'push',
    endpointUrl: input.endpointUrl,
    ...(input.sealedAuthorization === undefined
      ? {}
      : { sealedAuthorization: input.sealedAuthorization }),
  };
}

function decide(command: SsfStreamCommand, state: SsfStreamState): PendingSsfEvent[] {
  const meta = () => eventMeta(command.meta);
  switch (command.type) {
    case 'CreateSsfStream': {
      if (state.status !== 'none')
        throw new DomainRuleError('ssf.exists', `stream ${command.streamId} exists`);
      if (command.receiverStreams >= command.policy.maxStreamsPerReceiver)
        throw new DomainRuleError(
          'ssf.too_many_streams',
          `a receiver may own at most ${command.policy.maxStreamsPerReceiver} streams`,
        );
      const data = configuration(
        command.streamId,
        command.clientId,
        command.config,
        toDelivery(command.config.delivery),
        command.policy,
      );
      return [SsfStreamCreated.create(data, meta())];
    }
    case 'UpdateSsfStream': {
      const live = owned(state, command.clientId);
      const { config } = command;
      // A delivery given without a new header keeps the sealed one only if the endpoint is the same:
      // the receiver's secret must never follow the stream to another endpoint.
      const delivery =
        config.delivery === undefined
          ? command.replace
            ? toDelivery(undefined)
            : live.delivery
          : keepHeaderForSameEndpoint(toDelivery(config.delivery), live.delivery);
      const merged: SsfStreamConfigInput = command.replace
        ? config
        : {
            eventsRequested: config.eventsRequested ?? live.eventsRequested,
            ...((config.description ?? live.description) === undefined
              ? {}
              : { description: (config.description ?? live.description)! }),
            ...((config.subjectFormat ?? live.subjectFormat) === undefined
              ? {}
              : { subjectFormat: (config.subjectFormat ?? live.subjectFormat)! }),
          };
      const data = configuration(live.streamId, live.clientId, merged, delivery, command.policy);
      const current = {
        streamId: live.streamId,
        clientId: live.clientId,
        eventsRequested: live.eventsRequested,
        eventsDelivered: live.eventsDelivered,
        delivery: live.delivery,
        ...(live.description === undefined ? {} : { description: live.description }),
        ...(live.subjectFormat === undefined ? {} : { subjectFormat: live.subjectFormat }),
      };
      return JSON.stringify(data) === JSON.stringify(current)
        ? []
        : [SsfStreamUpdated.create(data, meta())];
    }
    case 'SetSsfStreamStatus': {
      const live = owned(state, command.clientId);
      if (live.streamStatus === command.streamStatus && live.reason === command.reason) return [];
      return [
        SsfStreamStatusChanged.create(
          {
            streamId: live.streamId,
            clientId: live.clientId,
            status: command.streamStatus,
            ...(command.reason === undefined ? {} : { reason: command.reason }),
          },
          meta(),
        ),
      ];
    }
    case 'DeleteSsfStream': {
      const live = owned(state, command.clientId);
      return [
        SsfStreamDeleted.create({ streamId: live.streamId, clientId: live.clientId }, meta()),
      ];
    }
    case 'AddSsfSubject':
    case 'RemoveSsfSubject': {
      const live = owned(state, command.clientId);
      const key = subjectKey(command.subject);
      const excluded = live.excluded.includes(key);
      const data = {
        streamId: live.streamId,
        clientId: live.clientId,
        key,
        subject: command.subject as Record<string, never>,
      };
      if (command.type === 'AddSsfSubject')
        return excluded ? [SsfSubjectAdded.create(data, meta())] : [];
      if (excluded) return [];
      if (live.excluded.length >= command.policy.maxExcludedSubjects)
        throw new DomainRuleError(
          'ssf.too_many_subjects',
          `a stream may exclude at most ${command.policy.maxExcludedSubjects} subjects`,
        );
      return [SsfSubjectRemoved.create(data, meta())];
    }
    default:
      return assertNever(command);
  }
}

function keepHeaderForSameEndpoint(
  next: SsfStreamDelivery,
  current: SsfStreamDelivery,
): SsfStreamDelivery {
  if (next.method !== 'push' || next.sealedAuthorization !== undefined) return next;
  if (
    current.method === 'push' &&
    current.endpointUrl === next.endpointUrl &&
    current.sealedAuthorization
  )
    return { ...next, sealedAuthorization: current.sealedAuthorization };
  return next;
}

function evolve(state: SsfStreamState, event: SsfEvent): SsfStreamState {
  switch (event.type) {
    case 'ssf.stream_created': {
      const { description, subjectFormat, ...rest } = event.data;
      return {
        status: 'live',
        ...rest,
        ...(description === undefined ? {} : { description }),
        ...(subjectFormat === undefined ? {} : { subjectFormat }),
        streamStatus: 'enabled',
        excluded: [],
      };
    }
    case 'ssf.stream_updated': {
      if (state.status !== 'live') return state;
      // The event holds the whole configuration: a member it lacks was cleared (PUT without it).
      const { description, subjectFormat, ...rest } = event.data;
      const { description: _old, subjectFormat: _oldFormat, ...kept } = state;
      return {
        ...kept,
        ...rest,
        ...(description === undefined ? {} : { description }),
        ...(subjectFormat === undefined ? {} : { subjectFormat }),
      };
    }
    case 'ssf.stream_status_changed': {
      if (state.status !== 'live') return state;
      const { reason: _old, ...kept } = state;
      return {
        ...kept,
        streamStatus: event.data.status,
        ...(event.data.reason === undefined ? {} : { reason: event.data.reason }),
      };
    }
    case 'ssf.stream_deleted':
      return { status: 'deleted', streamId: event.data.streamId, clientId: event.data.clientId };
    case 'ssf.subject_added':
      return state.status === 'live'
        ? { ...state, excluded: state.excluded.filter((k) => k !== event.data.key) }
        : state;
    case 'ssf.subject_removed':
      return state.status === 'live'
        ? { ...state, excluded: [...state.excluded, event.data.key] }
        : state;
    default:
      return assertNever(event);
  }
}

/** A Shared Signals stream (`ssf-stream-<id>`), ADR 0035. */
export const ssfStreamDecider: Decider<SsfStreamState, SsfStreamCommand, SsfEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};
