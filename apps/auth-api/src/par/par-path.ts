/** The pushed authorization request endpoint (RFC 9126 2), beside /token and /revoke. */
export const PAR_PATH = '/par';
