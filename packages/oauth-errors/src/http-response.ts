/**
 * An HTTP answer as data: the one shape for `{status, headers, body}` across
 * the codebase (a rendered OAuth error, an error page, a route's error
 * renderer, a browser flow's outcome). It lives here, the lowest package
 * that every producer already depends on, so none needs a look-alike.
 */
export interface HttpResponse<Body = string | object> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Body;
}
