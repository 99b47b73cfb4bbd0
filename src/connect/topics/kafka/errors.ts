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

/** Wraps a kafkajs failure; `what` says what was being done ("producing to topic x"). */
export function toConnectError(e: unknown, what: string): ConnectException {
  if (e instanceof ConnectException) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as KafkajsErrorShape;
  const message = `${what} failed: ${err.message ?? String(e)}`;
  // kafkajs marks connection loss and exhausted retries of retriable errors as KafkaJSNumberOfRetriesExceeded
  // with retriable=false; those are still worth retrying at the Connect level.
  const retriable =
    err.retriable === true ||
    err.name === 'KafkaJSNumberOfRetriesExceeded' ||
    err.name === 'KafkaJSConnectionError' ||
    err.name === 'KafkaJSRequestTimeoutError' ||
    err.name === 'KafkaJSBrokerNotFound' ||
    err.name === 'KafkaJSNoBrokerAvailableError';
  return retriable ? new RetriableException(message, { cause: e }) : new ConnectException(message, { cause: e });
}
