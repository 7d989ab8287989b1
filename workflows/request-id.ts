/**
 * The request id as a Temporal header: part of the contract, shared by the client's, the workflow's and the
 * activities' interceptors. A header, not a payload: the codec does not seal headers, and a request id is a random
 * token that says nothing about a person.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/workflow';

export const REQUEST_ID_HEADER = 'relief-request-id';

export function withRequestIdHeader(headers: Headers, requestId: string | undefined): Headers {
  return requestId === undefined
    ? headers
    : { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

export function requestIdOfHeaders(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}
