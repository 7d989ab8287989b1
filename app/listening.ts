/**
 * Where the API listens, as its start-up log line and banner say it: the address this process is bound to (HOST and
 * PORT, the port the system gave when PORT=0), and, apart, the public address its users reach it by (PUBLIC_BASE_URL)
 * when that is another one, as behind a load balancer whose processes listen on ports of their own.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface ApiAddresses {
  /** `http://host:port` this process listens on. */
  listening: string;
  /** PUBLIC_BASE_URL, when it is not the address listened on. */
  public?: string;
  /** The log line's message. */
  message: string;
}

export function apiAddresses(server: Server, publicBaseUrl: string): ApiAddresses {
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' || bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  const listening = `http://${host}:${bound.port}`;
  const publicUrl = publicBaseUrl.replace(/\/+$/, '');
  if (publicUrl === listening) return { listening, message: `API listening on ${listening}` };
  return { listening, public: publicUrl, message: `API listening on ${listening} (public address ${publicUrl})` };
}
