import { createHash, X509Certificate } from 'node:crypto';
import { clientCertificateThumbprint } from './client-certificate';

/** A self-signed test certificate (CN=mtls-client.example), as a proxy would forward it. */
const TEST_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUaHW1ngB1XfZ0sQ4kYlHMAEuwEfIwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTbXRscy1jbGllbnQuZXhhbXBsZTAgFw0yNjEyMDYyMTExMzFa
GA8yMTI2MTExMjIxMTEzMVowHjEcMBoGA1UEAwwTbXRscy1jbGllbnQuZXhhbXBs
ZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBidEjskYQD7IW3nbdno4C7aLc4j
z2NG8rG3C7aL2Of+usOc3raYIwkgYFPi6eLBADsGsfBSkB7TKs9awhKGbvijUzBR
MB0GA1UdDgQWBBSfRTKmpPEK+THialYU51CtHscusTAfBgNVHSMEGDAWgBSfRTKm
pPEK+THialYU51CtHscusTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cA
MEQCIFEwoYJPd6a4idx4gXg82q/QlkdaxlEh5vAd2loaheJ0AiBmVjUdAih80Eo2
pn14qAJh/4Sii8t/q2k29anNFCwzIw==
-----END CERTIFICATE-----`;

describe('clientCertificateThumbprint', () => {
  it('is base64url(SHA-256(DER)) of a URL-encoded PEM (RFC 8705 3.1)', () => {
    const der = new X509Certificate(TEST_CERTIFICATE).raw;
    const expected = createHash('sha256').update(der).digest('base64url');
    expect(clientCertificateThumbprint(encodeURIComponent(TEST_CERTIFICATE))).toBe(expected);
    expect(clientCertificateThumbprint(TEST_CERTIFICATE)).toBe(expected);
  });

  it('refuses what is not exactly one certificate', () => {
    expect(clientCertificateThumbprint('')).toBeUndefined();
    expect(clientCertificateThumbprint('%E0%A4%A')).toBeUndefined();
    expect(clientCertificateThumbprint('not a certificate')).toBeUndefined();
    expect(clientCertificateThumbprint(TEST_CERTIFICATE + TEST_CERTIFICATE)).toBeUndefined();
    const corrupt = TEST_CERTIFICATE.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    expect(clientCertificateThumbprint(corrupt)).toBeUndefined();
    expect(clientCertificateThumbprint('x'.repeat(20_000))).toBeUndefined();
  });
});
