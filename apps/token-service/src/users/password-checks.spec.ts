import { loadConfig } from '@idp/config';
import { registry } from '@idp/nest-kit';
import { PasswordChecks } from './password-checks';

const busy = async () =>
  (await registry.getSingleMetric('idp_abuse_refusals_total')!.get()).values.find(
    (v) => v.labels['control'] === 'busy' && v.labels['endpoint'] === 'password_check',
  )?.value ?? 0;

describe('PasswordChecks', () => {
  it('counts a check the admission gate refused as busy, and not the one it admitted', async () => {
    const checks = new PasswordChecks(
      loadConfig({ PORT: '0', PASSWORD_CHECK_CONCURRENCY: '1', PASSWORD_CHECK_QUEUE: '0' }),
    );
    const before = await busy();
    // Both asked in one tick: the first takes the only slot, the second finds no queue.
    const [first, second] = await Promise.allSettled([
      checks.verify('a password', 'not-a-stored-hash'),
      checks.verify('a password', 'not-a-stored-hash'),
    ]);
    expect(second).toMatchObject({ status: 'rejected', reason: { status: 503 } });
    expect(first.status === 'rejected' ? first.reason.status : undefined).not.toBe(503);
    expect((await busy()) - before).toBe(1);
  });
});
