/**
 * `rest.extension.classes`: the REST extensions a worker loads. The one Kafka ships is available,
 * `org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension` (also by its simple
 * name); any other class stops the worker, as a class the JVM cannot find would.
 */
import type { Logger } from 'pino';
import { ConfigException } from '../../errors.js';
import { type Authenticator, BASIC_AUTH_EXTENSION_CLASS, basicAuthenticator } from './basic-auth.js';
import { JAAS_CONFIG_FILE_CONFIG, jaasConfigLocation, readJaasConfig } from '../../security/jaas.js';

export const REST_EXTENSION_CLASSES_CONFIG = 'rest.extension.classes';

/** The request authenticators the configured REST extensions add (none when the key is unset). */
export function restExtensionAuthenticators(
  props: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  logger?: Logger,
): Authenticator[] {
  const classes = (props[REST_EXTENSION_CLASSES_CONFIG] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return classes.map((cls) => {
    if (cls !== BASIC_AUTH_EXTENSION_CLASS && cls !== 'BasicAuthSecurityRestExtension') {
      throw new ConfigException(REST_EXTENSION_CLASSES_CONFIG, cls, `Unknown REST extension; available: ${BASIC_AUTH_EXTENSION_CLASS}`);
    }
    const location = jaasConfigLocation(props, env);
    if (location === null) {
      throw new ConfigException(
        `${BASIC_AUTH_EXTENSION_CLASS} needs a JAAS configuration file: set ${JAAS_CONFIG_FILE_CONFIG} in the worker properties, ` +
          'or -Djava.security.auth.login.config=<file> in KAFKA_OPTS',
      );
    }
    return basicAuthenticator(readJaasConfig(location), location, logger);
  });
}
