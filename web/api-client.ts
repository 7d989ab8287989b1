/**
 * The console's only way to data: the public API over HTTP, typed by the OpenAPI document (web/api-types.ts).
 * Each request carries the browser's session token and address, so the API authenticates, authorises, audits and
 * rate-limits the person, not the console. The address goes with the console's proof (core/console-client.ts): the
 * API believes it from the console alone, not from anyone on loopback.
 */
import createClient, { type Client } from 'openapi-fetch';
import { CONSOLE_CLIENT_HEADER, CONSOLE_PROOF_HEADER } from '../core/console-client';
import type { components, paths } from './api-types';

export type Api = Client<paths>;
export type Problem = components['schemas']['Problem'];

export function apiClient(baseUrl: string, caller: { token?: string; clientIp?: string; proof?: string }): Api {
  const headers: Record<string, string> = {};
  if (caller.token) headers.Authorization = `Bearer ${caller.token}`;
  if (caller.clientIp && caller.proof) {
    headers[CONSOLE_CLIENT_HEADER] = caller.clientIp;
    headers[CONSOLE_PROOF_HEADER] = caller.proof;
  }
  return createClient<paths>({ baseUrl, headers });
}

/** An API answer that is not a success: its status and problem details, for the page to explain. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
  ) {
    super(problem.detail ?? problem.title ?? `the API answered ${status}`);
    this.name = 'ApiProblem';
  }

  /** Field errors by field name (e.g. "details.requestedOn"), for showing next to each form control. */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const { field, message } of this.problem.errors ?? [])
      errors[field] = errors[field] ? `${errors[field]}; ${message}` : message;
    return errors;
  }
}

/** The data of a successful answer, or an ApiProblem. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.ok && result.response.status === 204) return undefined as T;
  const problem = (result.error && typeof result.error === 'object' ? result.error : {}) as Partial<Problem>;
  throw new ApiProblem(result.response.status, problem);
}
