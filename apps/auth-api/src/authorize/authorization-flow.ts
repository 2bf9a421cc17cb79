import { Inject, Injectable } from '@nestjs/common';
import type { ClientMetadata, Clock, SessionView } from '@idp/contracts';
import { CLOCK } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { acrOfSession } from '@idp/domain';
import { AccessDenied } from '@idp/oauth-errors';
import { EdgeConfig } from '../http/edge-config';
import { seeOther, withCookies, type HttpOutcome } from '../http/http-outcome';
import {
  InteractionStore,
  pendingOf,
  type Interaction,
  type PendingAuthorization,
} from '../interaction/interaction-store';
import { toAuthorizationError } from './authorization-error';
import {
  errorOutcome,
  fromAuthorizationResponse,
  redirectTarget,
  responseOptions,
  responseParams,
} from './authorization-outcome';
import { renderAuthorizationResponse } from './authorization-response';
import { needsConsent, nextStep } from './session-policy';
import { SsoSessions } from './sso-sessions';
import type { AuthorizationRequest } from './types';

/**
 * The authorization flow after validation, shared by /authorize and the
 * interaction pages: issue at once, or go through login and consent, then
 * issue. Every failure from here on goes back to the client's validated
 * redirect_uri (toAuthorizationError), and ends the interaction.
 */
@Injectable()
export class AuthorizationFlow {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly interactions: InteractionStore,
    private readonly sessions: SsoSessions,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** /authorize with a valid request: prompt and max_age decide against the browser's session. */
  begin(
    request: AuthorizationRequest,
    client: ClientMetadata,
    cookieHeader: string | undefined,
  ): Promise<HttpOutcome> {
    const pending = pendingOf(request);
    return this.guard(pending, [], async () => {
      const now = this.clock.nowSeconds();
      // Reusing the session is a use of it: its idle lifetime slides (touch).
      const session = await this.sessions.current(cookieHeader, { touch: true });
      const next = nextStep(request, client, session, now);
      if (next.step === 'issue') return this.issue(pending, next.session);
      const { interaction, cookie } = this.interactions.start(
        {
          step: next.step,
          request: pending,
          clientName: client.client_name ?? client.client_id,
          consent: needsConsent(request, client),
          ...(next.step === 'consent' ? { sid: next.session.sid } : {}),
        },
        now,
      );
      return withCookies(this.show(interaction), cookie);
    });
  }

  /** After a login: consent if it was needed, else issue with the new session. */
  afterLogin(interaction: Interaction, session: SessionView): Promise<HttpOutcome> {
    if (interaction.consent) {
      return Promise.resolve(this.moveTo({ ...interaction, step: 'consent', sid: session.sid }));
    }
    return this.complete(interaction, session);
  }

  /** Issues for an interaction and ends it. */
  complete(interaction: Interaction, session: SessionView): Promise<HttpOutcome> {
    return this.guard(interaction.request, [this.interactions.clear(interaction.id)], () =>
      this.issue(interaction.request, session),
    );
  }

  /** Back to the login page, e.g. when the session ended while the consent page was open. */
  restartLogin(interaction: Interaction): HttpOutcome {
    return this.moveTo({ ...interaction, step: 'login', sid: undefined });
  }

  /** The user refused (RFC 6749 4.1.2.1). */
  deny(interaction: Interaction): HttpOutcome {
    return this.fail(new AccessDenied('the resource owner denied the request'), interaction);
  }

  /** Ends the interaction with an error for the client (or the error page if it must not go there). */
  fail(err: unknown, interaction: Interaction): HttpOutcome {
    return this.failRequest(err, interaction.request, [this.interactions.clear(interaction.id)]);
  }

  /** The page of the interaction's current step (PRG: pages are only ever reached by GET). */
  show(interaction: Interaction): HttpOutcome {
    return seeOther(this.edge.url(`/interaction/${interaction.id}`));
  }

  private moveTo(interaction: Interaction): HttpOutcome {
    try {
      return withCookies(
        this.show(interaction),
        this.interactions.save(interaction, this.clock.nowSeconds()),
      );
    } catch (err) {
      return this.fail(err, interaction);
    }
  }

  private async issue(request: PendingAuthorization, session: SessionView): Promise<HttpOutcome> {
    const result = await this.tokens.authorize({
      clientId: request.client_id,
      sub: session.sub,
      sid: session.sid,
      authTime: session.authTime,
      amr: session.amr,
      acr: acrOfSession(session),
      scope: [...request.scope],
      redirectUri: request.redirect_uri,
      redirectUriSupplied: request.redirect_uri_supplied,
      responseType: request.response_type,
      nonce: request.nonce,
      state: request.state,
      codeChallenge: request.code_challenge,
      codeChallengeMethod: request.code_challenge_method,
      ...(request.resource ? { resources: [...request.resource] } : {}),
      ...(request.claims ? { claimsRequest: request.claims } : {}),
    });
    return fromAuthorizationResponse(
      renderAuthorizationResponse(
        redirectTarget(request),
        responseParams(result),
        responseOptions(this.edge.issuer),
      ),
    );
  }

  private async guard(
    request: PendingAuthorization,
    cookies: string[],
    run: () => Promise<HttpOutcome>,
  ): Promise<HttpOutcome> {
    try {
      return withCookies(await run(), ...cookies);
    } catch (err) {
      return this.failRequest(err, request, cookies);
    }
  }

  private failRequest(err: unknown, request: PendingAuthorization, cookies: string[]): HttpOutcome {
    const redirectable = toAuthorizationError(err, redirectTarget(request));
    return withCookies(errorOutcome(redirectable, this.edge.issuer), ...cookies);
  }
}
