import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CLOCK,
  clientIp,
  countAbuseRefusal,
  countLoginFailure,
  FormBody,
  formParams,
  RenderErrorsWith,
} from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import { AuthorizationFlow } from '../authorize/authorization-flow';
import { SsoSessions } from '../authorize/sso-sessions';
import { EdgeConfig } from '../http/edge-config';
import { send, withCookies, type HttpOutcome } from '../http/http-outcome';
import type { Clock } from '@idp/contracts';
import type { Params } from '@idp/nest-kit';
import { verifyCsrf } from './csrf';
import { InteractionStore, type Interaction } from './interaction-store';
import {
  consentView,
  errorPageResponse,
  expiredView,
  interactionView,
  loginView,
} from './interaction-views';
import { LoginThrottle } from './login-throttle';
import { FORM_FIELDS } from './pages';
import { RateLimit } from '../http/rate-limit.guard';

/** token-service's limits (authenticateUser schema): longer input cannot match an account. */
const MAX_USERNAME = 200;
const MAX_PASSWORD = 1000;

/**
 * Input that can never be a right answer. NUL in particular: scrypt keys
 * HMAC-SHA-256 with the password, and HMAC pads a short key with zero bytes,
 * so `secret` and `secret\0` derive the same hash; without this check a
 * password with NULs appended would be accepted.
 */
function plausible(username: string, password: string): boolean {
  return (
    username.length <= MAX_USERNAME &&
    password.length <= MAX_PASSWORD &&
    !username.includes('\u0000') &&
    !password.includes('\u0000')
  );
}

/**
 * The login and consent pages of an interaction started by /authorize. The
 * interaction and its id come from the sealed cookie only; the form's
 * interaction_id is never trusted, and CSRF tokens are checked against the
 * cookie's id before anything else happens.
 */
@Controller('interaction')
@RateLimit('authorize')
export class InteractionController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly store: InteractionStore,
    private readonly sessions: SsoSessions,
    private readonly flow: AuthorizationFlow,
    private readonly throttle: LoginThrottle,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':id')
  @RenderErrorsWith(errorPageResponse)
  show(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const interaction = this.store.find(req.headers.cookie, id, this.clock.nowSeconds());
    send(
      reply,
      interaction === undefined ? expiredView() : interactionView(this.edge, interaction),
    );
  }

  @Post(':id/login')
  @FormBody()
  @RenderErrorsWith(errorPageResponse)
  async login(
    @Param('id') id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    send(
      reply,
      await this.step(id, req, 'login', {
        forged: (i) => loginView(this.edge, i, { status: 403, error: 'expired' }),
        run: (i, form) => this.signIn(i, form, req),
      }),
    );
  }

  @Post(':id/consent')
  @FormBody()
  @RenderErrorsWith(errorPageResponse)
  async consent(
    @Param('id') id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    send(
      reply,
      await this.step(id, req, 'consent', {
        forged: (i) => consentView(this.edge, i, 403),
        run: (i, form) => this.decide(i, form, req),
      }),
    );
  }

  /**
   * A wrong password is the same page whether or not the user exists, with
   * status 200 (no account enumeration); token-service spends the same time
   * on an unknown user (dummy hash). Throttled attempts (per username and
   * per IP, ADR 0016) get the login page with 429 before any password check,
   * the same page for names with and without an account; a password check
   * token-service has no room for gets it with 503 ("try again shortly").
   * Both keep the interaction, so the user can simply try again.
   */
  private async signIn(
    interaction: Interaction,
    form: Params,
    req: FastifyRequest,
  ): Promise<HttpOutcome> {
    const username = form[FORM_FIELDS.username] ?? '';
    const password = form[FORM_FIELDS.password] ?? '';
    const ip = clientIp(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
      this.edge.trustProxy,
    );
    const attempt = await this.throttle.begin(username, ip);
    if (!attempt.allowed) {
      countAbuseRefusal('throttled', 'login');
      return loginView(this.edge, interaction, {
        status: 429,
        headers: { 'Retry-After': String(attempt.retryAfterSeconds) },
        error: 'throttled',
        username,
      });
    }
    let sub: string | null;
    try {
      ({ sub } = plausible(username, password)
        ? await this.tokens.authenticateUser({ username, password })
        : { sub: null });
    } catch (err) {
      await attempt.abandoned();
      if (!(err instanceof OAuthError) || err.status !== 503) throw err;
      return loginView(this.edge, interaction, {
        status: 503,
        headers: { 'Retry-After': err.headers['Retry-After'] ?? '1' },
        error: 'busy',
        username,
      });
    }
    if (sub === null) {
      countLoginFailure();
      await attempt.failed();
      return loginView(this.edge, interaction, { error: 'invalid_credentials', username });
    }
    await attempt.succeeded();
    const { session, cookie } = await this.sessions.start(
      sub,
      ['pwd'],
      this.clock.nowSeconds(),
      req.headers.cookie,
    );
    return withCookies(await this.flow.afterLogin(interaction, session), cookie);
  }

  private async decide(
    interaction: Interaction,
    form: Params,
    req: FastifyRequest,
  ): Promise<HttpOutcome> {
    const decision = form[FORM_FIELDS.decision];
    if (decision === 'deny') return this.flow.deny(interaction);
    if (decision !== 'allow') return consentView(this.edge, interaction, 400);
    // The consent was shown to the user of one session: it must still be this browser's.
    const session = await this.sessions.current(req.headers.cookie);
    if (session === undefined || session.sid !== interaction.sid) {
      return this.flow.restartLogin(interaction);
    }
    return this.flow.complete(interaction, session);
  }

  /**
   * Finds the interaction, sends a request for the other step to its page,
   * and checks the form before anything else: a malformed form gets the error
   * page and a wrong CSRF token the page again, and neither ends the
   * interaction, since a cross-site POST must not be able to end the user's
   * sign-in (which would send an error to the client). Failures after that
   * become client errors.
   */
  private async step(
    id: string,
    req: FastifyRequest,
    step: Interaction['step'],
    handlers: {
      forged: (interaction: Interaction) => HttpOutcome;
      run: (interaction: Interaction, form: Params) => Promise<HttpOutcome>;
    },
  ): Promise<HttpOutcome> {
    const interaction = this.store.find(req.headers.cookie, id, this.clock.nowSeconds());
    if (interaction === undefined) return expiredView();
    if (interaction.step !== step) return this.flow.show(interaction);
    let form: Params;
    try {
      form = formParams(req);
    } catch (err) {
      return errorPageResponse(err);
    }
    if (!verifyCsrf(this.edge.csrfKey, interaction.id, form[FORM_FIELDS.csrf])) {
      return handlers.forged(interaction);
    }
    try {
      return await handlers.run(interaction, form);
    } catch (err) {
      return this.flow.fail(err, interaction);
    }
  }
}
