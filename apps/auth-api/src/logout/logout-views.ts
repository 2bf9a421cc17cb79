import type { HttpResponse } from '@idp/oauth-errors';
import type { HttpOutcome } from '../http/http-outcome';
import { frameCsp, pageHeaders } from '../interaction/html';
import type { FrontChannelFrames } from './front-channel';
import {
  renderConfirmPage,
  renderLoggedOutPage,
  renderLogoutErrorPage,
  renderStillSignedInPage,
  type ConfirmPageInput,
} from './logout-pages';

export function confirmView(input: ConfirmPageInput, status = 200): HttpOutcome {
  return { status, headers: pageHeaders(), body: renderConfirmPage(input) };
}

/** The logged-out page; its CSP lets exactly the front-channel origins be framed. */
export function loggedOutView(front: FrontChannelFrames, continueTo?: string): HttpOutcome {
  return {
    status: 200,
    headers: pageHeaders(frameCsp(front.origins)),
    body: renderLoggedOutPage({
      frames: front.frames,
      ...(continueTo === undefined ? {} : { continueTo }),
    }),
  };
}

export function stillSignedInView(): HttpOutcome {
  return { status: 200, headers: pageHeaders(), body: renderStillSignedInPage() };
}

/** `@RenderErrorsWith(logoutErrorResponse)`: every /logout failure is a page, never JSON or a redirect. */
export function logoutErrorResponse(err: unknown): HttpResponse<string> {
  const page = renderLogoutErrorPage(err);
  return { status: page.status, headers: { ...pageHeaders(), ...page.headers }, body: page.body };
}
