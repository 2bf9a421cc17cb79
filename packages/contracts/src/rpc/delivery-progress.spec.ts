import { backchannelDelivery } from './backchannel.rpc';
import { deliveryProgressView } from './delivery-progress';
import { ssfDeliveryView } from './ssf.rpc';

const progress = {
  status: 'dead_lettered',
  attempts: 5,
  nextAttemptAt: 1_800_000_000_000,
  lastError: 'HTTP 503',
  createdAt: 1_799_999_000_000,
  updatedAt: 1_800_000_000_000,
} as const;

describe('the delivery views share one progress schema', () => {
  it('each view is its identity, then the progress fields, in the order operators have seen', () => {
    expect(Object.keys(backchannelDelivery.shape)).toEqual([
      ...['sid', 'clientId', 'sub', 'jti', 'uri'],
      ...Object.keys(deliveryProgressView.shape),
    ]);
    expect(Object.keys(ssfDeliveryView.shape)).toEqual([
      ...['streamId', 'jti', 'clientId', 'eventType'],
      ...Object.keys(deliveryProgressView.shape),
    ]);
  });

  it('both views check the progress the same way', () => {
    const bcl = { sid: 's', clientId: 'c', sub: 'u', jti: 'j', uri: 'https://rp/bcl' };
    const set = { streamId: 'st', jti: 'j', clientId: 'c', eventType: 'urn:e' };
    expect(backchannelDelivery.parse({ ...bcl, ...progress })).toEqual({ ...bcl, ...progress });
    expect(ssfDeliveryView.parse({ ...set, ...progress })).toEqual({ ...set, ...progress });
    for (const bad of [{ status: 'lost' }, { attempts: -1 }, { lastError: undefined }]) {
      expect(backchannelDelivery.safeParse({ ...bcl, ...progress, ...bad }).success).toBe(false);
      expect(ssfDeliveryView.safeParse({ ...set, ...progress, ...bad }).success).toBe(false);
    }
  });
});
