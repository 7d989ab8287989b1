/**
 * Verifies ID tokens from the agency's OpenID Connect provider for POST /api/auth/oidc/session. The API trusts no
 * one's word for an ID token, the console's included: it checks the signature against the provider's published keys
 * (found through discovery), the issuer, the audience (our client id) and the expiry itself, with jose.
 */
// jose is an ES module; its types are imported as such, and its code with `await import()` where used.
import type { JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { AppError } from '../core/errors';

export interface OidcSettings {
  /** OIDC_ISSUER_URL: exactly the `iss` of the provider's ID tokens. */
  issuerUrl: string;
  /** OIDC_CLIENT_ID: the `aud` the ID tokens must be for. */
  clientId: string;
}

/** Who the verified ID token says the person is. */
interface VerifiedIdentity {
  issuer: string;
  subject: string;
  /** The token's `nonce` claim: which sign-in it answers (the API checks it is one it issued). */
  nonce: string | null;
}

export type IdTokenVerifier = (idToken: string) => Promise<VerifiedIdentity>;

/** Tolerated difference between the provider's clock and ours, on `exp` and `iat`. */
const CLOCK_TOLERANCE = '30s';
/** An ID token is a proof of a sign-in just made; an old one is not accepted to start a session. */
const MAX_TOKEN_AGE = '10m';

export function idTokenVerifier(settings: OidcSettings): IdTokenVerifier {
  // The key set is found once, then jose caches and refreshes the keys
  // (a token signed with an unknown key id makes it fetch the set again, so provider key rotation just works).
  let keys: Promise<JWTVerifyGetKey> | undefined;
  return async (idToken) => {
    const jose = await import('jose');
    keys ??= discoverKeys(settings.issuerUrl).catch((error: unknown) => {
      keys = undefined; // the provider may be back on the next attempt
      throw error;
    });
    try {
      const { payload } = await jose.jwtVerify(idToken, await keys, {
        issuer: settings.issuerUrl,
        audience: settings.clientId,
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: MAX_TOKEN_AGE,
        clockTolerance: CLOCK_TOLERANCE,
      });
      return {
        issuer: settings.issuerUrl,
        subject: payload.sub!,
        nonce: typeof payload.nonce === 'string' ? payload.nonce : null,
      };
    } catch (error) {
      if (error instanceof jose.errors.JOSEError) {
        throw new AppError(
          'unauthenticated',
          'The identity provider’s ID token could not be verified. Please sign in again.',
          { code: 'invalid_id_token' },
        );
      }
      throw error;
    }
  };
}

/** The provider's key set, from its discovery document (which must name the configured issuer). */
async function discoverKeys(issuerUrl: string): Promise<JWTVerifyGetKey> {
  const jose = await import('jose');
  const url = new URL('.well-known/openid-configuration', issuerUrl.endsWith('/') ? issuerUrl : `${issuerUrl}/`);
  const unavailable = new AppError('unavailable', 'The identity provider cannot be reached; try again shortly.', {
    code: 'oidc_unavailable',
  });
  const response = await fetch(url, {
    headers: { Accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  }).catch(() => {
    throw unavailable;
  });
  if (!response.ok) throw unavailable;
  const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (document.issuer !== issuerUrl || typeof document.jwks_uri !== 'string') {
    throw new Error(`the discovery document of ${issuerUrl} names another issuer or no jwks_uri`);
  }
  return jose.createRemoteJWKSet(new URL(document.jwks_uri));
}
