/**
 * An S3-compatible object store (AWS S3, MinIO, Ceph, Garage…), for documents kept outside PostgreSQL
 * (DOCUMENT_STORE=s3). Requests are signed with AWS Signature V4 by aws4fetch over Node's own fetch; path-style
 * addresses (`endpoint/bucket/key`), which every S3-compatible server answers. What is put here is already sealed
 * (db/documents.ts): the store never holds a document in the clear.
 */
import { AwsClient } from 'aws4fetch';

export interface ObjectStore {
  put(key: string, body: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Deletes the object; deleting one that is not there succeeds (S3 answers 204 either way). */
  delete(key: string): Promise<void>;
}

export interface S3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function s3ObjectStore(settings: S3Settings): ObjectStore {
  const client = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    region: settings.region,
    service: 's3',
  });
  const base = settings.endpoint.replace(/\/+$/, '');
  const urlOf = (key: string) =>
    `${base}/${encodeURIComponent(settings.bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const fail = async (what: string, key: string, response: Response): Promise<never> => {
    // The store's error is XML naming the bucket and key, never a document: worth keeping for the operator.
    const text = (await response.text()).slice(0, 300);
    throw new Error(`object store ${what} ${key}: ${response.status} ${text}`);
  };
  return {
    async put(key, body) {
      const response = await client.fetch(urlOf(key), {
        method: 'PUT',
        body: new Uint8Array(body),
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      if (!response.ok) await fail('PUT', key, response);
    },
    async get(key) {
      const response = await client.fetch(urlOf(key), { method: 'GET' });
      if (!response.ok) await fail('GET', key, response);
      return Buffer.from(await response.arrayBuffer());
    },
    async delete(key) {
      const response = await client.fetch(urlOf(key), { method: 'DELETE' });
      if (!response.ok && response.status !== 404) await fail('DELETE', key, response);
    },
  };
}
