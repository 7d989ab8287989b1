/**
 * Signing in at the agency's OpenID Connect provider: the authorization code flow with PKCE, state and nonce, by
 * openid-client. The console only carries the person there and back: the ID token it receives goes to the API
 * (POST /api/auth/oidc/session), which verifies it itself and decides who, if anyone, that is.
 *
 * Between leaving and coming back, the flow's secrets (state, nonce, PKCE verifier) wait in a cookie sealed with
 * the console secret (AES-256-GCM): the browser carries them but can neither read nor forge them, and they expire.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Configuration } from 'openid-client' with { 'resolution-mode': 'import' };
import { isHttpsOrLoopback } from '../app/config';
import type { SessionSettings } from './session';

export interface OidcClientSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
}

export const OIDC_FLOW_COOKIE = 'rc_oidc';
export const OIDC_CALLBACK_PATH = '/sign-in/oidc/callback';
/** Time to sign in at the provider before the flow must start again. */
const FLOW_TTL_MS = 10 * 60 * 1000;

interface Flow {
  state: string;
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
  /** The console's page to come back to once signed in (a bookmarked or emailed address), never told to the provider. */
  next?: string;
}

/** What the provider's answer at the callback gives: the ID token, and the page the flow was started to come back to. */
export interface FinishedSignIn {
  idToken: string;
  next?: string;
}

/** A sign-in that cannot complete, with what to tell the person. */
export class OidcSignInError extends Error {
  constructor(
    readonly userMessage: string,
    readonly reason: string,
  ) {
    super(`OpenID Connect sign-in refused: ${reason}`);
    this.name = 'OidcSignInError';
  }
}

export class OidcSignIn {
  private readonly redirectUri: string;
  private readonly publicBaseUrl: string;
  private readonly sealingKey: Buffer;
  private configuration: Promise<Configuration> | undefined;

  constructor(
    private readonly settings: OidcClientSettings,
    publicBaseUrl: string,
    private readonly session: SessionSettings,
  ) {
    this.publicBaseUrl = publicBaseUrl.replace(/\/$/, '');
    this.redirectUri = `${this.publicBaseUrl}${OIDC_CALLBACK_PATH}`;
    this.sealingKey = createHmac('sha256', session.secret).update('oidc flow cookie').digest();
  }

  /**
   * Remembers a new flow in the browser and answers where to send it: the provider's authorization endpoint. The
   * nonce is the API's (POST /api/auth/oidc/nonce): the API opens a session only for a token carrying one it issued.
   * `next`, the page to come back to, is sealed with the flow.
   */
  async start(res: Response, nonce: string, next?: string): Promise<URL> {
    const client = await import('openid-client');
    const config = await this.discovered();
    const flow: Flow = {
      state: client.randomState(),
      nonce,
      codeVerifier: client.randomPKCECodeVerifier(),
      expiresAt: Date.now() + FLOW_TTL_MS,
      ...(next ? { next } : {}),
    };
    res.cookie(OIDC_FLOW_COOKIE, this.seal(flow), { ...this.cookieOptions(), maxAge: FLOW_TTL_MS });
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** The provider's answer at the callback, checked against the flow this browser started: the ID token. */
  async finish(req: Request, res: Response): Promise<FinishedSignIn> {
    const flow = this.unseal((req.cookies as Record<string, unknown> | undefined)?.[OIDC_FLOW_COOKIE]);
    // One answer per flow: whatever happens next, this flow is over.
    res.clearCookie(OIDC_FLOW_COOKIE, this.cookieOptions());
    if (!flow)
      throw new OidcSignInError(
        'This sign-in was not started here, or took too long. Please start again.',
        'no valid flow cookie',
      );
    const client = await import('openid-client');
    const config = await this.discovered();
    try {
      const tokens = await client.authorizationCodeGrant(config, new URL(req.originalUrl, this.publicBaseUrl), {
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        pkceCodeVerifier: flow.codeVerifier,
        idTokenExpected: true,
      });
      return { idToken: tokens.id_token!, next: flow.next };
    } catch (error) {
      if (error instanceof client.AuthorizationResponseError) {
        throw new OidcSignInError(
          `Your identity provider did not sign you in (${error.error}). Please try again.`,
          `provider answered ${error.error}`,
        );
      }
      if (error instanceof client.ClientError || error instanceof client.ResponseBodyError) {
        throw new OidcSignInError(
          'The identity provider’s answer could not be accepted. Please start again.',
          `${error.name}: ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** The provider's metadata, discovered once (again after a failure: the provider may be back). */
  private discovered(): Promise<Configuration> {
    this.configuration ??= (async () => {
      const client = await import('openid-client');
      const issuer = new URL(this.settings.issuerUrl);
      // openid-client insists on https; a provider on this machine (development, tests) may be plain http.
      const execute = issuer.protocol === 'http:' && isHttpsOrLoopback(issuer) ? [client.allowInsecureRequests] : [];
      return client.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
        execute,
        timeout: 10,
      });
    })().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private cookieOptions() {
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, and must bring the cookie along.
    return { httpOnly: true, sameSite: 'lax', secure: this.session.secureCookies, path: '/sign-in/oidc' } as const;
  }

  private seal(flow: Flow): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealingKey, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(flow), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  private unseal(value: unknown): Flow | null {
    if (typeof value !== 'string' || value.length > 2048) return null;
    try {
      const bytes = Buffer.from(value, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.sealingKey, bytes.subarray(0, 12), { authTagLength: 16 });
      decipher.setAuthTag(bytes.subarray(12, 28));
      const flow = JSON.parse(
        Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8'),
      ) as Flow;
      return flow.expiresAt > Date.now() ? flow : null;
    } catch {
      return null; // altered, truncated, or sealed under another secret
    }
  }
}
