import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

export const testAudience = 'okey';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(
  kid: string,
  alg: 'RS256' | 'ES256' = 'RS256',
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicKey };
}

/**
 * A stand-in for the académie's identity provider: keys generated here, their public halves
 * served as a JWKS on 127.0.0.1, and tokens signed the way the provider signs them. It counts
 * the JWKS fetches, so tests can tell whether okey caches the keys.
 */
export async function startIdentityProvider() {
  const published: SigningKey[] = [
    await newSigningKey('rsa-1'),
    await newSigningKey('ec-1', 'ES256'),
  ];
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = 'https://idp.academie.example/realms/agents';

  /** A token for `uid`, valid for 5 minutes unless the options say otherwise. */
  async function sign(
    claims: JWTPayload,
    options: { key?: SigningKey; kid?: string; issuer?: string; audience?: string } = {},
  ) {
    const key = options.key ?? (published[0] as SigningKey);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? testAudience)
      .sign(key.privateKey);
  }

  return {
    issuer,
    jwksUrl: `${base}/jwks`,
    keys: published,
    fetches: () => fetches,
    publish: (key: SigningKey) => published.push(key),
    sign,
    /** The settings okey needs to trust this provider. */
    config: () => ({
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: testAudience,
      OIDC_JWKS_URL: `${base}/jwks`,
    }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
