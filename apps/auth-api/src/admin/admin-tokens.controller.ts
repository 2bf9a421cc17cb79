import { Body, Controller, Get, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { adminTokenHistoryQuery, type TokenHistory } from '@idp/contracts';
import { StrictQuery } from '@idp/nest-kit';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminRpcAccess, parseBody } from './admin-rpc';

/**
 * "Was this token active at T, and why not?" (ADR 0037): token-service
 * answers from the event store. The token may come in the query (as the
 * issue names the route) or, better, in a JSON or form body: the access
 * log and the spans carry the route template, never the URL, and no error
 * repeats the token. idp:admin.read may call both (the POST changes nothing).
 */
@Controller('admin/tokens/history')
@UseGuards(AdminAuthGuard)
export class AdminTokensController {
  constructor(private readonly admin: AdminRpcAccess) {}

  /** `?token=…` or `?grant_id=…`, and `&at=<RFC 3339>`. */
  @Get()
  @StrictQuery()
  @Header('Cache-Control', 'no-store')
  byQuery(@Query() query: unknown): Promise<TokenHistory> {
    return this.history(query);
  }

  /** The same fields in a JSON or application/x-www-form-urlencoded body. */
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  byBody(@Body() body: unknown): Promise<TokenHistory> {
    return this.history(body ?? {});
  }

  private history(input: unknown): Promise<TokenHistory> {
    const { token, grant_id: grantId, at } = parseBody(adminTokenHistoryQuery, input);
    return this.admin.rpc.tokenHistory({
      ...(token === undefined ? {} : { token }),
      ...(grantId === undefined ? {} : { grantId }),
      ...(at === undefined ? {} : { at }),
    });
  }
}
