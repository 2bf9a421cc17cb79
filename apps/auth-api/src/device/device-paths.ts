/** RFC 8628 3.1: where a device asks for codes (discovery: device_authorization_endpoint). */
export const DEVICE_AUTHORIZATION_PATH = '/device_authorization';
/** RFC 8628 3.2 verification_uri: the page where the user enters the code. */
export const DEVICE_PAGE_PATH = '/device';
