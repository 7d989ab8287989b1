import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';

/** How to reach a Temporal cluster: the embedded dev server, a self-hosted cluster, or Temporal Cloud. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Temporal Cloud API key (implies TLS). */
  apiKey?: string;
  /** mTLS client certificate and key, e.g. for a self-hosted cluster or Temporal Cloud with certificates. */
  tls?: { clientCertPath: string; clientKeyPath: string; serverRootCaPath?: string; serverName?: string };
}

type SharedOptions = Pick<ConnectionOptions, 'address' | 'tls' | 'apiKey'> &
  Pick<NativeConnectionOptions, 'address' | 'tls' | 'apiKey'>;

/** One reading of the settings, shared by the client (API) and the worker so both always connect alike. */
function connectionOptions(settings: TemporalSettings): SharedOptions {
  const { address, apiKey, tls } = settings;
  if (tls) {
    return {
      address,
      apiKey,
      tls: {
        clientCertPair: { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) },
        serverRootCACertificate: tls.serverRootCaPath ? readFileSync(tls.serverRootCaPath) : undefined,
        serverNameOverride: tls.serverName,
      },
    };
  }
  return { address, apiKey, tls: apiKey ? true : undefined };
}

export function connectClient(settings: TemporalSettings): Promise<Connection> {
  return Connection.connect(connectionOptions(settings));
}

export function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(settings));
}
