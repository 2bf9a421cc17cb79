import { deliveryFor } from './set-fan-out';
import type { Signal } from './signal-mapping';
import type { StreamRow } from './ssf-store.port';

const ISS = 'https://op.example.com';
const TYPE = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

const stream = (over: Partial<StreamRow> = {}): StreamRow => ({
  streamId: 's-1',
  clientId: 'rs-1',
  status: 'enabled',
  method: 'push',
  endpointUrl: 'https://rs.example.com/set',
  eventsDelivered: [TYPE],
  excluded: [],
  version: 1,
  ...over,
});

const ended: Signal = {
  eventType: TYPE,
  txn: 'ev-1',
  sourceKey: `ev-1:${TYPE}`,
  iat: 1_800_000_000,
  subId: {
    format: 'complex',
    user: { format: 'iss_sub', iss: ISS, sub: 'u-1' },
    session: { format: 'opaque', id: 'sid-1' },
  },
  principals: { iss: ISS, sub: 'u-1', sid: 'sid-1' },
  subjectKeys: [],
  payload: { event_timestamp: 1_800_000_000 },
};

describe('deliveryFor: the SET a stream gets', () => {
  it("takes the event's own subject when the stream asked for no format", () => {
    expect(deliveryFor(stream(), ended).claims.subId).toEqual(ended.subId);
  });

  it('puts the subject in the format the stream asked for when it is queued', () => {
    expect(deliveryFor(stream({ subjectFormat: 'iss_sub' }), ended).claims.subId).toEqual({
      format: 'iss_sub',
      iss: ISS,
      sub: 'u-1',
    });
    expect(deliveryFor(stream({ subjectFormat: 'opaque' }), ended).claims.subId).toEqual({
      format: 'opaque',
      id: 'sid-1',
    });
  });

  it('keeps the subject of a SET about the stream itself (verification) whatever the format', () => {
    const verification = {
      eventType: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
      sourceKey: 'verification:1',
      iat: 1_800_000_000,
      subId: { format: 'opaque', id: 's-1' },
      payload: { state: 'x' },
    };
    expect(deliveryFor(stream({ subjectFormat: 'iss_sub' }), verification).claims.subId).toEqual({
      format: 'opaque',
      id: 's-1',
    });
  });
});
