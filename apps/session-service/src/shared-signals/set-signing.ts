import type { TokenRpcClient } from '@idp/contracts';
import type { JsonValue } from '@idp/rpc';
import type { SetDelivery } from './set-delivery';

type Json = Record<string, JsonValue>;

/** token-service signs (only it holds private keys): one call per batch, in order, jti and iat as recorded. */
export function setSigner(tokens: Pick<TokenRpcClient, 'signSecurityEvents'>) {
  return async (deliveries: readonly SetDelivery[]): Promise<string[]> => {
    if (deliveries.length === 0) return [];
    const { tokens: sets } = await tokens.signSecurityEvents({
      sets: deliveries.map((d) => ({
        aud: d.clientId,
        jti: d.jti,
        iat: d.claims.iat,
        ...(d.claims.txn === undefined ? {} : { txn: d.claims.txn }),
        // Plain JSON: built by signalsOf and stored as JSON text.
        subId: d.claims.subId as Json,
        events: d.claims.events as Record<string, Json>,
      })),
    });
    return sets;
  };
}
