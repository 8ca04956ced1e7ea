export { sealArtifact, openArtifact, parseArtifact, renderModule, type ConfigArtifact, type RenderedModule } from './artifact.js';
export { writeFileAtomic } from './atomic-write.js';
export {
  importConfig,
  exportConfig,
  renderConfig,
  templateConfig,
  stagesOf,
  ENVELOPE_VERSION,
  type EnvelopeKey,
  type FileOptions,
  type ImportResult,
  type RenderResult,
} from './config-file.js';
export { env, type EnvOptions } from './env.js';
export { parseEnvironments, checkStageEnvironments, type Environment } from './environments.js';
export {
  ConfigError,
  ConfigSyntaxError,
  ConfigFormatError,
  UnknownStageError,
  MissingStageValueError,
  DecryptionError,
  KeyProviderError,
  ConfigLoadError,
  ParameterStoreError,
  ParameterError,
  EnvError,
} from './errors.js';
export { createKeyProvider, generateLocalKey, kmsKeyId, isLocalKey, type DataKey, type KeyProvider, type KeyProviderOptions, type KmsClientLike } from './key-provider.js';
export { loadConfig, resetConfigCache, CONFIG_ENV, CONFIG_FILE_ENV, type LoadConfigOptions } from './load-config.js';
export { toParameters, putParameters, PARAMETER_LIMITS, type ParameterEntry, type PutParametersOptions } from './parameter-store.js';
export { getParameter, getParameters, resetParameterCache, DEFAULT_MAX_AGE, type GetParameterOptions, type GetParametersOptions } from './parameters.js';
export type { SsmClientLike } from './ssm-client.js';
export { Stages, matchName, isPattern, type NameMatch, type StageDefinition } from './stages.js';
export type { ConfigValue } from './tree.js';
export { yamlText as toYaml } from './yaml-text.js';
