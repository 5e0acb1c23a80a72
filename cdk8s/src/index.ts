/**
 * printq's deployment as code. `synthesize(profile, overrides)` returns the objects in apply
 * order (synchronous); `writeManifests` and `writeChart` produce dist/<profile>/ and
 * charts/printq (what `npm run synth` runs).
 */
export { synthesize, synthesizeFiles, CONCERNS } from './stack.js';
export type { ManifestFile, ManifestObject } from './stack.js';
export {
  PROFILES,
  PROFILE_DEFAULTS,
  ISSUERS,
  LOCAL_IMAGES,
  SettingsError,
  hstsEnabled,
  imageRef,
  parseSettings,
} from './settings.js';
export type { IssuerName, Profile, Settings, SettingsOverrides } from './settings.js';
export { CA, NAMES, PORTS, REDIS_PASSWORD_FILE, REDIS_SECRET, TLS_SECRET } from './names.js';
export { generatePassword, redisSecret } from './secret.js';
export { renderManifests, writeManifests } from './writer.js';
