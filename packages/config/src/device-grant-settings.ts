import { positiveInt } from './setting-schemas';

/**
 * The device authorization grant (RFC 8628, ADR 0032): code lifetimes and
 * polling, user-code shape, and the brute-force guard of the verification
 * page.
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const deviceGrantSettings = {
  DEVICE_CODE_TTL: {
    schema: positiveInt.max(3600).default(600),
    description:
      'Device authorization grant (RFC 8628): lifetime of a device_code and its user_code, seconds (`expires_in`). The user must enter the code and approve within it.',
  },
  DEVICE_POLL_INTERVAL: {
    schema: positiveInt.max(60).default(5),
    description:
      'Device authorization grant: the seconds a device must wait between two polls of /token (`interval`). A poll sooner is `slow_down` and adds 5 seconds for the rest of that flow (RFC 8628 3.5); tracked in Redis (distributed) or memory (embedded) and in the event log, so every replica agrees.',
  },
  DEVICE_USER_CODE_LENGTH: {
    schema: positiveInt.min(8).max(12).default(8),
    description:
      'Device authorization grant: characters of a user_code, from 20 consonants (BCDFGHJKLMNPQRSTVWXZ), shown in two halves (XXXX-XXXX). 8 gives 20^8 ≈ 2.6 × 10^10 codes; with DEVICE_USER_CODE_IP_FAILURES a guess is hopeless.',
  },
  DEVICE_USER_CODE_IP_FAILURES: {
    schema: positiveInt.max(1000).default(10),
    description:
      'auth-api: wrong user codes one client IP may enter on the verification page within DEVICE_USER_CODE_WINDOW_SECONDS before it is locked out for that window (brute-force guard; counted in Redis or memory like sign-ins).',
  },
  DEVICE_USER_CODE_CODE_FAILURES: {
    schema: positiveInt.max(100).default(5),
    description:
      'auth-api: refused attempts on one user code (entered while expired or already answered, or a confirmation with a forged form) before that code is locked for DEVICE_USER_CODE_WINDOW_SECONDS, whichever IPs they come from.',
  },
  DEVICE_USER_CODE_WINDOW_SECONDS: {
    schema: positiveInt.max(86400).default(900),
    description:
      'auth-api: how long the user-code failures of an IP or a code are remembered, and how long a lock lasts.',
  },
} as const;
