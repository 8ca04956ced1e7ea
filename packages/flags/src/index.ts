export { appConfigSource, type AppConfigSourceOptions } from './appconfig-source.js';
export { ACTIONS, type Action } from './conditions.js';
export { evaluateFlag, type FlagContext } from './evaluate.js';
export { parseFlagDocument, type Flag, type FlagCondition, type FlagDocument, type FlagRule } from './flag-document.js';
export { FlagDocumentError, FlagSourceError } from './flag-errors.js';
export { documentSource, type FlagSource } from './flag-source.js';
export { FeatureFlags, type FeatureFlagsOptions } from './feature-flags.js';
export { fileSource } from './file-source.js';
