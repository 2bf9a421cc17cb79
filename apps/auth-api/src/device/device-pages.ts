import { escapeHtml, hiddenInput, layout } from '../interaction/html';
import { describeScope } from '../interaction/scope-descriptions';

/** Form field names the verification page's handlers read. */
export const DEVICE_FIELDS = {
  userCode: 'user_code',
  csrf: 'csrf',
  username: 'username',
  password: 'password',
  decision: 'decision',
} as const;

/** Fixed messages only: nothing typed is ever shown back as an error. */
export type DeviceCodeError = 'invalid_code' | 'throttled' | 'expired_form' | 'busy';
const CODE_ERRORS: Readonly<Record<DeviceCodeError, string>> = {
  invalid_code: 'That code is not valid, or it has expired. Check the code on your device.',
  throttled: 'Too many wrong codes. Wait a while, then try again.',
  expired_form: 'This form expired. Please enter the code again.',
  busy: 'This page is busy right now. Try again shortly.',
};

export type DeviceLoginError = 'invalid_credentials' | 'throttled' | 'busy' | 'expired_form';
const LOGIN_ERRORS: Readonly<Record<DeviceLoginError, string>> = {
  invalid_credentials: 'Wrong username or password.',
  throttled: 'Too many failed sign-in attempts. Wait a while, then try again.',
  busy: 'Sign-in is busy right now. Try again shortly.',
  expired_form: 'This sign-in form expired. Please try again.',
};

const errorParagraph = (message: string | undefined) =>
  message === undefined
    ? ''
    : `<p class="error" id="form-error" role="alert">${escapeHtml(message)}</p>`;

export interface EnterCodePageInput {
  readonly action: string;
  readonly csrf: string;
  /** Prefill from verification_uri_complete: the user still submits it (RFC 8628 5.4). */
  readonly userCode?: string | undefined;
  readonly error?: DeviceCodeError | undefined;
}

export function renderEnterCodePage(input: EnterCodePageInput): string {
  const error = input.error === undefined ? undefined : CODE_ERRORS[input.error];
  const body = [
    '<h1>Connect a device</h1>',
    '<p>Enter the code shown on your device.</p>',
    errorParagraph(error),
    `<form method="post" action="${escapeHtml(input.action)}">`,
    hiddenInput(DEVICE_FIELDS.csrf, input.csrf),
    '<label for="user_code">Code</label>',
    `<input id="user_code" name="${DEVICE_FIELDS.userCode}" type="text" autocomplete="off"` +
      ` autocapitalize="characters" spellcheck="false" maxlength="32" required` +
      ` placeholder="XXXX-XXXX" value="${escapeHtml(input.userCode ?? '')}">`,
    '<button type="submit">Continue</button>',
    '</form>',
  ].join('\n');
  return layout('Connect a device', body);
}

export interface DeviceLoginPageInput {
  readonly action: string;
  readonly csrf: string;
  readonly userCode: string;
  readonly clientName: string;
  readonly username?: string | undefined;
  readonly error?: DeviceLoginError | undefined;
}

export function renderDeviceLoginPage(input: DeviceLoginPageInput): string {
  const error = input.error === undefined ? undefined : LOGIN_ERRORS[input.error];
  const body = [
    `<h1>Sign in to connect ${escapeHtml(input.clientName)}</h1>`,
    errorParagraph(error),
    `<form method="post" action="${escapeHtml(input.action)}">`,
    hiddenInput(DEVICE_FIELDS.csrf, input.csrf),
    hiddenInput(DEVICE_FIELDS.userCode, input.userCode),
    '<label for="username">Username</label>',
    `<input id="username" name="${DEVICE_FIELDS.username}" type="text" autocomplete="username"` +
      ` autocapitalize="none" spellcheck="false" required value="${escapeHtml(input.username ?? '')}">`,
    '<label for="password">Password</label>',
    `<input id="password" name="${DEVICE_FIELDS.password}" type="password"` +
      ' autocomplete="current-password" required>',
    '<button type="submit">Sign in</button>',
    '</form>',
  ].join('\n');
  return layout('Sign in', body);
}

export interface DeviceConfirmPageInput {
  readonly action: string;
  readonly csrf: string;
  readonly userCode: string;
  readonly clientName: string;
  readonly scopes: readonly string[];
}

/**
 * RFC 8628 5.4 (remote phishing): the user is told which application asks,
 * for what, and to go on only if they started this on a device in front of
 * them showing this very code. Approve and Deny are two buttons of one form.
 */
export function renderDeviceConfirmPage(input: DeviceConfirmPageInput): string {
  const items = input.scopes
    .map(
      (s) =>
        `<li>${escapeHtml(describeScope(s))} <small>(<code>${escapeHtml(s)}</code>)</small></li>`,
    )
    .join('\n');
  const body = [
    `<h1>Connect ${escapeHtml(input.clientName)}?</h1>`,
    `<p>Code: <strong id="user-code">${escapeHtml(input.userCode)}</strong></p>`,
    '<p class="warning">Only continue if you started this on a device in front of you and it shows this code. If someone sent you this link or code, deny.</p>',
    `<p>${escapeHtml(input.clientName)} wants to:</p>`,
    `<ul>\n${items}\n</ul>`,
    `<form method="post" action="${escapeHtml(input.action)}">`,
    hiddenInput(DEVICE_FIELDS.csrf, input.csrf),
    hiddenInput(DEVICE_FIELDS.userCode, input.userCode),
    `<button type="submit" name="${DEVICE_FIELDS.decision}" value="allow">Allow</button>`,
    `<button type="submit" class="secondary" name="${DEVICE_FIELDS.decision}" value="deny">Deny</button>`,
    '</form>',
  ].join('\n');
  return layout('Connect a device', body);
}

export function renderDeviceDonePage(approved: boolean): string {
  const body = approved
    ? '<h1>Device connected</h1>\n<p id="device-result">You may return to your device.</p>'
    : '<h1>Request denied</h1>\n<p id="device-result">The device was not connected. You may close this page.</p>';
  return layout(approved ? 'Device connected' : 'Request denied', body);
}
