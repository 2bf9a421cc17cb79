/** One redaction for every printed event, the admin API's token history included (@idp/domain). */
export { REDACTED, redactSecrets as redact } from '@idp/domain';
