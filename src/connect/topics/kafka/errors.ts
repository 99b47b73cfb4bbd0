/**
 * kafkajs errors as Connect errors: retriable ones (leader moved, broker unreachable, timeout, rebalance)
 * become RetriableException, the rest ConnectException. The kafkajs error stays as `cause`.
 */
import { ConnectException, RetriableException } from '../../errors.js';

interface KafkajsErrorShape {
  name?: string;
  message?: string;
  retriable?: boolean;
  type?: string;
}

export function kafkaErrorType(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as KafkajsErrorShape).type : undefined;
}

const TRANSIENT = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSLockTimeout',
  'KafkaJSGroupCoordinatorNotFound',
]);

/** kafkajs wraps the real failure (`cause`, `originalError`) when its own retries run out. */
function rootCause(e: unknown): KafkajsErrorShape {
  let cur = (typeof e === 'object' && e !== null ? e : {}) as KafkajsErrorShape & { cause?: unknown; originalError?: unknown };
  for (let i = 0; i < 10; i++) {
    const next = cur.cause ?? cur.originalError;
    if (typeof next !== 'object' || next === null || next === cur) break;
    cur = next as typeof cur;
  }
  return cur;
}

/**
 * Wraps a kafkajs failure; `what` says what was being done ("producing to topic x"). Retriable when the
 * root cause is: kafkajs gives up after its own few retries (KafkaJSNumberOfRetriesExceeded /
 * KafkaJSNonRetriableError around a connection error), but for Connect an unreachable broker is transient.
 */
export function toConnectError(e: unknown, what: string): ConnectException {
  if (e instanceof ConnectException) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as KafkajsErrorShape;
  const root = rootCause(e);
  const detail = err.message ?? String(e);
  const rootDetail = root !== err && root.message && !detail.includes(root.message) ? ` (${root.message})` : '';
  const hint = securityHint(`${detail} ${root.message ?? ''}`);
  const message = `${what} failed: ${detail}${rootDetail}${hint ?? ''}`;
  // A TLS handshake refused over certificates is an authentication failure (Java: SslAuthenticationException), not transient.
  const retriable = hint === null && (root.retriable === true || TRANSIENT.has(root.name ?? ''));
  return retriable ? new RetriableException(message, { cause: e }) : new ConnectException(message, { cause: e });
}

/** What to check when a connection failed over TLS settings; null when the failure is not about them. */
function securityHint(text: string): string | null {
  if (/self[- ]signed certificate|unable to (get|verify).*(issuer|certificate)|certificate (has expired|is not yet valid)|CERT_/i.test(text)) {
    return ". The broker's certificate is not trusted: check ssl.truststore.location / ssl.truststore.certificates (the CA that signed it)";
  }
  if (/Hostname\/IP does not match|altnames/i.test(text)) {
    return ". The broker's certificate does not name the host it was reached at (ssl.endpoint.identification.algorithm= turns this check off)";
  }
  if (/alert (bad certificate|certificate required|unknown ca)/i.test(text)) {
    return '. The broker refused the client certificate (or its absence): check ssl.keystore.location / ssl.keystore.certificate.chain';
  }
  return null;
}
