/** Config providers: `${file:...}`, `${directory:...}`, `${env:...}` in worker, connector and task configs. */
export type { ConfigData, ConfigProvider } from './config-provider.js';
export { AllowedPaths } from './allowed-paths.js';
export { ConfigTransformer, UnresolvedVariableException, hasVariables, keysWithVariables, variablesOf } from './config-transformer.js';
export { DirectoryConfigProvider } from './directory-provider.js';
export { EnvVarConfigProvider } from './env-provider.js';
export { FileConfigProvider } from './file-provider.js';
export { HIDDEN, isSecretName, maskConfig, passwordKeys } from './masking.js';
export { ConfigResolutionError, configProvidersFrom, resolveWorkerConfig, validationTransform } from './worker-providers.js';
