/**
 * The HTTP client a worker uses to reach other workers (Kafka's `RestClient`): forwarded REST writes and task
 * configs sent to the leader. Plain `http://` URLs, or `https://` with the TLS settings of the worker's
 * `listeners.https.` keys (trust store, client certificate, hostname verification), so a cluster with https
 * listeners talks https between its workers.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ConnectionOptions } from 'node:tls';

export interface RestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RestRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

export class RestClient {
  private readonly httpsAgent: HttpsAgent;

  /** `tls`: client options for https URLs (see security/ssl-config.ts `clientTlsOptions`). */
  constructor(
    tls: ConnectionOptions = {},
    private readonly timeoutMs = 90_000,
  ) {
    this.httpsAgent = new HttpsAgent({ ...tls, keepAlive: true });
  }

  request(url: URL | string, req: RestRequest): Promise<RestResponse> {
    const target = typeof url === 'string' ? new URL(url) : url;
    const https = target.protocol === 'https:';
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise((resolve, reject) => {
      const options = { method: req.method, headers, timeout: this.timeoutMs };
      const r = https ? httpsRequest(target, { ...options, agent: this.httpsAgent }) : httpRequest(target, options);
      r.on('timeout', () => r.destroy(new Error(`Request to ${target.origin} timed out`)));
      r.on('error', reject);
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      r.end(req.body);
    });
  }

  close(): void {
    this.httpsAgent.destroy();
  }
}
