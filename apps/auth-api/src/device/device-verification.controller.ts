import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CLOCK,
  clientIp,
  countAbuseRefusal,
  countLoginFailure,
  FormBody,
  formParams,
  parseParams,
  RenderErrorsWith,
  StrictQuery,
  type Params,
  type RawParams,
} from '@idp/nest-kit';
import { TOKEN_RPC, type Clock, type SessionView, type TokenRpcClient } from '@idp/contracts';
import { randomBase64url } from '@idp/crypto';
import { formatUserCode, normaliseUserCode } from '@idp/domain';
import { OAuthError } from '@idp/oauth-errors';
import { SsoSessions } from '../authorize/sso-sessions';
import { readCookie, serializeCookie } from '../http/cookies';
import { EdgeConfig } from '../http/edge-config';
import { send, withCookies, type HttpOutcome } from '../http/http-outcome';
import { RateLimit } from '../http/rate-limit.guard';
import { issueCsrf, verifyCsrf } from '../interaction/csrf';
import { pageHeaders } from '../interaction/html';
import { errorPageResponse } from '../interaction/interaction-views';
import { LoginThrottle } from '../interaction/login-throttle';
import {
  DEVICE_FIELDS,
  renderDeviceConfirmPage,
  renderDeviceDonePage,
  renderDeviceLoginPage,
  renderEnterCodePage,
  type DeviceCodeError,
  type DeviceLoginError,
} from './device-pages';
import { DEVICE_PAGE_PATH } from './device-paths';
import { UserCodeGuard } from './user-code-guard';

/**
 * What the page's CSRF tokens are bound to: a random id in a cookie of this
 * browser (signed double-submit, as the interaction pages bind theirs to
 * the interaction id). A cross-site POST carries neither the cookie
 * (SameSite=Lax) nor a token for it.
 */
const BINDING_COOKIE = 'device_form';
const BINDING = /^[A-Za-z0-9_-]{22}$/;
const BINDING_MAX_AGE = 3600;
const MAX_USERNAME = 200;
const MAX_PASSWORD = 1000;

interface PendingRequest {
  readonly userCode: string;
  readonly clientName: string;
  readonly scopes: string[];
}

/**
 * The verification page of the device authorization grant (RFC 8628 3.3):
 * enter the code (or arrive with it from verification_uri_complete, which
 * only prefills it: the user still submits it and then approves, RFC 8628
 * 5.4), sign in or reuse the SSO session, see which client asks for which
 * scopes, approve or deny. Every step that carries a user code goes through
 * the brute-force guard, and every POST checks its CSRF token first.
 */
@Controller(DEVICE_PAGE_PATH.slice(1))
@RateLimit('authorize')
export class DeviceVerificationController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly sessions: SsoSessions,
    private readonly guard: UserCodeGuard,
    private readonly throttle: LoginThrottle,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @StrictQuery()
  @RenderErrorsWith(errorPageResponse)
  show(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const query = parseParams((req.query ?? {}) as RawParams);
    const typed = query[DEVICE_FIELDS.userCode];
    const code = typed === undefined ? undefined : normaliseUserCode(typed);
    const { binding, cookie } = this.binding(req);
    const page = this.enterCode(binding, {
      userCode: code === undefined ? undefined : formatUserCode(code),
    });
    send(reply, cookie === undefined ? page : withCookies(page, cookie));
  }

  /** Step 1: the code entered (or confirmed, when it came prefilled). */
  @Post()
  @FormBody()
  @RenderErrorsWith(errorPageResponse)
  async enter(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(
      reply,
      await this.step(req, async (binding, form) =>
        this.withCode(req, binding, form, async (pending) => {
          const session = await this.sessions.current(req.headers.cookie);
          return session === undefined
            ? this.loginPage(binding, pending)
            : this.confirmPage(binding, pending);
        }),
      ),
    );
  }

  /** Step 2 without an SSO session: sign in, then the confirmation page. */
  @Post('login')
  @FormBody()
  @RenderErrorsWith(errorPageResponse)
  async login(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(
      reply,
      await this.step(req, async (binding, form) =>
        this.withCode(req, binding, form, (pending) => this.signIn(req, binding, form, pending)),
      ),
    );
  }

  /** Step 3: approve or deny, by the user of this browser's session. */
  @Post('decision')
  @FormBody()
  @RenderErrorsWith(errorPageResponse)
  async decision(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(
      reply,
      await this.step(req, async (binding, form) => {
        const decision = form[DEVICE_FIELDS.decision];
        if (decision !== 'allow' && decision !== 'deny')
          return this.enterCode(binding, { status: 400, error: 'expired_form' });
        return this.withCode(req, binding, form, async (pending) => {
          const session = await this.sessions.current(req.headers.cookie);
          if (session === undefined) return this.loginPage(binding, pending);
          await this.decide(pending.userCode, decision === 'allow', session);
          return {
            status: 200,
            headers: pageHeaders(),
            body: renderDeviceDonePage(decision === 'allow'),
          };
        });
      }),
    );
  }

  private async decide(userCode: string, approve: boolean, session: SessionView): Promise<void> {
    await this.tokens.deviceDecision({
      userCode,
      approve,
      sub: session.sub,
      sid: session.sid,
      authTime: session.authTime,
      amr: session.amr,
      ...(session.acr === undefined ? {} : { acr: session.acr }),
    });
  }

  /**
   * Reads the form and checks its CSRF token against this browser's binding
   * before anything else; a malformed form gets the error page, a wrong or
   * missing token the code page again (with a fresh binding if it had none).
   */
  private async step(
    req: FastifyRequest,
    run: (binding: string, form: Params) => Promise<HttpOutcome>,
  ): Promise<HttpOutcome> {
    let form: Params;
    try {
      form = formParams(req);
    } catch (err) {
      return errorPageResponse(err);
    }
    const { binding, cookie } = this.binding(req);
    if (
      cookie !== undefined ||
      !verifyCsrf(this.edge.csrfKey, bound(binding), form[DEVICE_FIELDS.csrf])
    ) {
      const page = this.enterCode(binding, { status: 403, error: 'expired_form' });
      return cookie === undefined ? page : withCookies(page, cookie);
    }
    try {
      return await run(binding, form);
    } catch (err) {
      if (err instanceof OAuthError && err.status === 503)
        return this.enterCode(binding, {
          status: 503,
          error: 'busy',
          headers: { 'Retry-After': err.headers['Retry-After'] ?? '1' },
        });
      throw err;
    }
  }

  /**
   * The user code of the form, through the brute-force guard: a code that
   * names no pending request is counted against this IP and this code, and
   * the user gets the code page again (400), the same page whatever was wrong.
   */
  private async withCode(
    req: FastifyRequest,
    binding: string,
    form: Params,
    run: (pending: PendingRequest) => Promise<HttpOutcome>,
  ): Promise<HttpOutcome> {
    const typed = form[DEVICE_FIELDS.userCode] ?? '';
    const code = normaliseUserCode(typed);
    const attempt = await this.guard.begin(this.ipOf(req), code ?? typed.slice(0, 64));
    if (!attempt.allowed) {
      if ('unavailable' in attempt) return this.enterCode(binding, { status: 503, error: 'busy' });
      countAbuseRefusal('throttled', 'device_code');
      return this.enterCode(binding, {
        status: 429,
        error: 'throttled',
        headers: { 'Retry-After': String(attempt.retryAfterSeconds) },
      });
    }
    const found =
      code === undefined ? null : (await this.tokens.devicePending({ userCode: code })).request;
    if (found === null) {
      await attempt.failed();
      return this.enterCode(binding, { status: 400, error: 'invalid_code' });
    }
    await attempt.succeeded();
    try {
      return await run({
        userCode: formatUserCode(code!),
        clientName: found.clientName,
        scopes: found.scope.split(' ').filter(Boolean),
      });
    } catch (err) {
      // Answered meanwhile (another tab), or expired between the steps.
      if (err instanceof OAuthError && err.error === 'invalid_grant')
        return this.enterCode(binding, { status: 400, error: 'invalid_code' });
      throw err;
    }
  }

  /** As the interaction's sign-in (ADR 0016 throttles, no account enumeration), then the confirmation. */
  private async signIn(
    req: FastifyRequest,
    binding: string,
    form: Params,
    pending: PendingRequest,
  ): Promise<HttpOutcome> {
    const username = form[DEVICE_FIELDS.username] ?? '';
    const password = form[DEVICE_FIELDS.password] ?? '';
    const attempt = await this.throttle.begin(username, this.ipOf(req));
    if (!attempt.allowed) {
      countAbuseRefusal('throttled', 'login');
      return this.loginPage(binding, pending, {
        status: 429,
        error: 'throttled',
        username,
        headers: { 'Retry-After': String(attempt.retryAfterSeconds) },
      });
    }
    let sub: string | null;
    try {
      ({ sub } = plausible(username, password)
        ? await this.tokens.authenticateUser({ username, password })
        : { sub: null });
    } catch (err) {
      await attempt.abandoned();
      throw err;
    }
    if (sub === null) {
      countLoginFailure();
      await attempt.failed();
      return this.loginPage(binding, pending, { error: 'invalid_credentials', username });
    }
    await attempt.succeeded();
    const { cookie } = await this.sessions.start(
      sub,
      ['pwd'],
      this.clock.nowSeconds(),
      req.headers.cookie,
    );
    return withCookies(this.confirmPage(binding, pending), cookie);
  }

  private enterCode(
    binding: string,
    options: {
      status?: number;
      error?: DeviceCodeError;
      userCode?: string | undefined;
      headers?: Record<string, string>;
    } = {},
  ): HttpOutcome {
    const body = renderEnterCodePage({
      action: this.edge.url(DEVICE_PAGE_PATH),
      csrf: issueCsrf(this.edge.csrfKey, bound(binding)),
      userCode: options.userCode,
      error: options.error,
    });
    return {
      status: options.status ?? 200,
      headers: { ...pageHeaders(), ...options.headers },
      body,
    };
  }

  private loginPage(
    binding: string,
    pending: PendingRequest,
    options: {
      status?: number;
      error?: DeviceLoginError;
      username?: string;
      headers?: Record<string, string>;
    } = {},
  ): HttpOutcome {
    const body = renderDeviceLoginPage({
      action: this.edge.url(`${DEVICE_PAGE_PATH}/login`),
      csrf: issueCsrf(this.edge.csrfKey, bound(binding)),
      userCode: pending.userCode,
      clientName: pending.clientName,
      username: options.username,
      error: options.error,
    });
    return {
      status: options.status ?? 200,
      headers: { ...pageHeaders(), ...options.headers },
      body,
    };
  }

  private confirmPage(binding: string, pending: PendingRequest): HttpOutcome {
    const body = renderDeviceConfirmPage({
      action: this.edge.url(`${DEVICE_PAGE_PATH}/decision`),
      csrf: issueCsrf(this.edge.csrfKey, bound(binding)),
      userCode: pending.userCode,
      clientName: pending.clientName,
      scopes: pending.scopes,
    });
    return { status: 200, headers: pageHeaders(), body };
  }

  /** This browser's binding id, and the Set-Cookie that creates it when it had none. */
  private binding(req: FastifyRequest): { binding: string; cookie?: string } {
    const current = readCookie(req.headers.cookie, BINDING_COOKIE);
    if (current !== undefined && BINDING.test(current)) return { binding: current };
    const binding = randomBase64url(16);
    const cookie = serializeCookie(BINDING_COOKIE, binding, {
      path: this.edge.cookiePath(DEVICE_PAGE_PATH),
      maxAge: BINDING_MAX_AGE,
      secure: this.edge.secureCookies,
    });
    return { binding, cookie };
  }

  private ipOf(req: FastifyRequest): string {
    return clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.edge.trustProxy);
  }
}

/** The CSRF tokens of this page never verify on the interaction pages, nor theirs here. */
const bound = (binding: string) => `device:${binding}`;

/** See the interaction's sign-in: input that can never be a right answer (NUL, over-long). */
function plausible(username: string, password: string): boolean {
  return (
    username.length <= MAX_USERNAME &&
    password.length <= MAX_PASSWORD &&
    !username.includes('\u0000') &&
    !password.includes('\u0000')
  );
}
