/** What the API needs from the rest of the service, as interfaces: the app is built from these and nothing global. */
import type { VouchingConsole } from '../core/console-client';
import type { RequestHandler } from 'express';
import type { VocabularyOf } from '../core/log-vocabulary';
import type { CorrectionPreview, WriteOptions } from '../app/case-commands';
import type { Logger } from '../core/logger';
import type { Readiness } from '../app/readiness';
import type { CaseView } from '../app/case-reads';
import type { SignOff } from '../domain/steps';
import type { Actor } from '../domain/types';
import type { RateLimits } from '../app/rate-limit-settings';
import type { Services } from '../app/services';
import type { OpenCaseRequest } from '../app/case-commands';
import type { CloseCaseRequest, TransferCaseRequest } from '../domain/case';
import type { Correction } from '../domain/correction';
import type { AskAgainRequest } from '../domain/ask-again';
import type { ServiceMetrics } from '../app/metrics';
import type { CodecDeps } from './routes/codec';

export type { CaseView };

/** The write side: every change goes through the case's workflow and returns the case as the read model shows it. */
export interface CaseCommands {
  open(request: OpenCaseRequest, actor: Actor, options?: WriteOptions): Promise<CaseView>;
  signOff(caseId: string, signOff: SignOff, actor: Actor, options?: WriteOptions): Promise<CaseView>;
  /** Whether the sign-off would be taken, checked as the sign-off is and sent nowhere. */
  previewSignOff(caseId: string, signOff: SignOff, actor: Actor): Promise<void>;
  close(caseId: string, command: CloseCaseRequest, actor: Actor, options?: WriteOptions): Promise<CaseView>;
  transfer(caseId: string, command: TransferCaseRequest, actor: Actor, options?: WriteOptions): Promise<CaseView>;
  correct(caseId: string, correction: Correction, actor: Actor, options?: WriteOptions): Promise<CaseView>;
  /** What the correction would withdraw, checked as the correction is and applied to nothing. */
  previewCorrection(caseId: string, correction: Correction, actor: Actor): Promise<CorrectionPreview>;
  askAgain(caseId: string, request: AskAgainRequest, actor: Actor, options?: WriteOptions): Promise<CaseView>;
  /** The 18th birthday the case's workflow counts a minor's deadlines from; undefined once Temporal has no case. */
  minorTurns18On(caseId: string): Promise<string | null | undefined>;
}

/**
 * Case commands that all fail with `why`: for an app built only to serve what needs no workflow (its OpenAPI document
 * when the console's types are generated, a test of the read side).
 */
export function commandsRefused(why: string): CaseCommands {
  const refuse = () => Promise.reject(new Error(why));
  return {
    open: refuse,
    signOff: refuse,
    previewSignOff: refuse,
    close: refuse,
    transfer: refuse,
    correct: refuse,
    previewCorrection: refuse,
    askAgain: refuse,
    minorTurns18On: refuse,
  };
}

export type { Readiness } from '../app/readiness';

/** What the routes do is a service's (app/services.ts): they parse, authorise and shape the answer. */
export interface ApiDeps extends Services {
  logger: Logger;
  cases: CaseCommands;
  ready: () => Promise<Readiness>;
  /** Per-minute limits on sign-in attempts and writes (defaults in app/rate-limit-settings.ts). */
  rateLimits?: RateLimits;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses, CIDR ranges, or loopback/linklocal/uniquelocal); none by
   * default: the client is the peer of the connection.
   */
  trustedProxies?: readonly string[];
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins?: readonly string[];
  /** Only in embedded mode: the mail capture, exposed at GET /dev/mail. */
  mailbox?: { messages(): unknown[] };
  /** This process's Prometheus metrics (app/metrics.ts): requests are timed when given, cases and sign-offs counted. */
  metrics?: ServiceMetrics;
  /** The bearer token of `GET /metrics` (METRICS_TOKEN); without it the route is not mounted (404). */
  metricsToken?: string;
  /** The Temporal Web UI's codec server (`POST /codec/decode`), mounted when given. */
  codec?: CodecDeps;
  /**
   * The web console (web/console.ts), mounted after the API routes; a client of this API over HTTP, whose requests
   * name the browser they come from (believed only with its proof).
   */
  console?: RequestHandler & VocabularyOf & VouchingConsole;
}
