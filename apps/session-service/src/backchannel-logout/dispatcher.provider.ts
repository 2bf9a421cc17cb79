import { Logger, type Provider } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { EVENT_STORE, type EventStore } from '@idp/eventstore';
import type { Clock, IdSource } from '@idp/contracts';
import { CLOCK, countBackchannelAttempt, ID_SOURCE } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { outboundClientOf } from '@idp/outbound';
import { backchannelMetrics } from './backchannel.metrics';
import { BACKCHANNEL_DISPATCHER } from './backchannel.tokens';
import { DeliveryJournal } from './delivery-journal';
import { DELIVERY_STORE, type DeliveryStore } from './delivery-store.port';
import { BackchannelDispatcher, type AttemptOutcome } from './dispatcher';
import { httpLogoutTokenPoster, type LogoutTokenPoster } from './logout-token-poster';

/** Every attempt's outcome into the metrics (per RP, and the bounded idp_backchannel_attempts_total). */
export function observeAttempts(outcomes: readonly AttemptOutcome[], now: number): void {
  for (const { delivery, transition } of outcomes) {
    countBackchannelAttempt(transition.kind);
    const labels = { client_id: delivery.clientId };
    if (transition.kind === 'delivered') {
      backchannelMetrics.delivered.inc(labels);
      backchannelMetrics.latency.observe(labels, (now - delivery.createdAt) / 1000);
    } else if (transition.kind === 'retry') backchannelMetrics.retried.inc(labels);
    else backchannelMetrics.deadLettered.inc(labels);
  }
}

/**
 * One line per POST, in the delivery's context (the request id of the
 * logout that scheduled it, the RP's client id): where it went and how it
 * came out, never the logout token.
 */
function loggedPoster(post: LogoutTokenPoster, log: Logger): LogoutTokenPoster {
  return async (uri, token) => {
    const result = await post(uri, token);
    const target = URL.canParse(uri) ? new URL(uri).origin : '(unparseable uri)';
    if (result.ok) log.log({ msg: 'back-channel logout delivered', target, status: result.status });
    else log.warn({ msg: 'back-channel logout attempt failed', target, error: result.error });
    return result;
  };
}

/**
 * The dispatcher over the real ports: token-service signs, the guarded
 * outbound client posts (docs/security.md), the session stream journals.
 */
export const dispatcherProvider: Provider = {
  provide: BACKCHANNEL_DISPATCHER,
  inject: [CONFIG, DELIVERY_STORE, EVENT_STORE, TOKEN_RPC, CLOCK, ID_SOURCE],
  useFactory: (
    config: Config,
    store: DeliveryStore,
    events: EventStore,
    tokens: TokenRpcClient,
    clock: Clock,
    ids: IdSource,
  ) => {
    const log = new Logger('BackchannelDispatcher');
    const journal = new DeliveryJournal(events, clock, ids);
    const outbound = outboundClientOf(config, { timeoutMs: config.BACKCHANNEL_TIMEOUT_MS });
    return new BackchannelDispatcher(
      {
        store,
        sign: async (list) => (await tokens.signLogoutTokens({ tokens: [...list] })).tokens,
        post: loggedPoster(
          httpLogoutTokenPoster(outbound, { timeoutMs: config.BACKCHANNEL_TIMEOUT_MS }),
          log,
        ),
        journal: (outcomes) => journal.outcomes(outcomes),
        onRecorded: (outcomes) => observeAttempts(outcomes, Date.now()),
        // Never the token: errors here are from the database or token-service.
        onError: (what, err) => log.warn(`${what} failed: ${(err as Error).message}`),
      },
      {
        concurrency: config.BACKCHANNEL_CONCURRENCY,
        timeoutMs: config.BACKCHANNEL_TIMEOUT_MS,
        pollMs: config.BACKCHANNEL_POLL_MS,
        schedule: {
          baseMs: config.BACKCHANNEL_BACKOFF_BASE_MS,
          capMs: config.BACKCHANNEL_BACKOFF_CAP_MS,
          maxAttempts: config.BACKCHANNEL_MAX_ATTEMPTS,
        },
      },
    );
  },
};
