/** SOPS files written by margo-bridge (age recipients only), readable by Go SOPS and Flux. */
export { checkAgeRecipients, unwrapDataKey } from './age.js';
export { creationRules, SECRET_REGEX, SOPS_CONFIG_FILE } from './creation-rules.js';
export { encryptDotenv } from './dotenv.js';
export { SOPS_FORMAT_VERSION } from './session.js';
export { decryptText, importDataKey, isEncrypted } from './value.js';
export { encryptYaml } from './yaml.js';
