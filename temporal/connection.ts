import { readFileSync } from 'node:fs';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';
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

/** A TLS file that cannot be read: said naming its variable, not as Temporal that cannot be reached. */
class TlsFileError extends Error {}

/** The file a TLS variable names, or a TlsFileError naming the variable, the path and why. */
function tlsFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsFileError(`${variable}: ${path} cannot be read (${(error as Error).message})`, { cause: error });
  }
}

/** One reading of the settings, shared by the client (API) and the worker so both always connect alike. */
function connectionOptions(settings: TemporalSettings): SharedOptions {
  const { address, apiKey, tls } = settings;
  if (tls) {
    return {
      address,
      apiKey,
      tls: {
        clientCertPair: {
          crt: tlsFile('TEMPORAL_TLS_CERT_PATH', tls.clientCertPath),
          key: tlsFile('TEMPORAL_TLS_KEY_PATH', tls.clientKeyPath),
        },
        serverRootCACertificate: tls.serverRootCaPath
          ? tlsFile('TEMPORAL_TLS_CA_PATH', tls.serverRootCaPath)
          : undefined,
        serverNameOverride: tls.serverName,
      },
    };
  }
  return { address, apiKey, tls: apiKey ? true : undefined };
}

export function connectClient(settings: TemporalSettings): Promise<Connection> {
  return Connection.connect({ ...connectionOptions(settings), interceptors: [retriesWithinDeadline()] });
}

type Interceptor = ReturnType<typeof makeGrpcRetryInterceptor>;

/**
 * The client's retries of a failed call (Temporal unreachable, a connection reset), as the SDK's own
 * (`defaultGrpcRetryOptions`: the same failures, attempts and backoff), but none whose wait would end at or past the
 * call's deadline: the call fails then with its last failure (UNAVAILABLE: Temporal cannot be reached). The SDK's
 * own waits out its backoff (up to 6 s) before it finds the deadline passed, so while Temporal refused connections a
 * write bounded by WRITE_TIMEOUT_SECONDS (10 s) answered its 503 after 16 to 18 s, where the README promises 12 at
 * most. A call without a deadline retries as the SDK's does.
 */
export function retriesWithinDeadline(): Interceptor {
  const sdk = defaultGrpcRetryOptions();
  return (options, nextCall) => {
    const deadline = options.deadline === undefined ? Infinity : Number(options.deadline);
    let waitMs = 0;
    return makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) => {
        if (!sdk.retryableDecider(attempt, status)) return false;
        waitMs = sdk.delayFunction(attempt, status);
        return Date.now() + waitMs < deadline;
      },
      // Called right after the decider, for the same attempt: the wait it judged.
      delayFunction: () => waitMs,
    })(options, nextCall);
  };
}

export function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(settings));
}

/**
 * Connects with `connect` to the Temporal configured in TEMPORAL_ADDRESS; when that fails (the SDK says only "Failed to
 * connect before the deadline"), the error names the variable and the address tried, for whoever reads the one line
 * the service or an admin command prints as it exits.
 */
export async function namingTemporalAddress<T>(settings: TemporalSettings, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    if (error instanceof TlsFileError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `TEMPORAL_ADDRESS ${settings.address} cannot be reached (${reason}): check that Temporal's frontend listens ` +
        'there and that TEMPORAL_ADDRESS, its TLS settings and TEMPORAL_API_KEY are right.',
      { cause: error },
    );
  }
}
