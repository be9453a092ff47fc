// Authentication: workspace API keys (servers) and signed staff tokens (staff members' apps).
export { type Auth, type Authenticator, type AuthenticatorOptions, type StaffAuth, createAuthenticator } from "./authenticate.js";
export { API_KEY_PREFIX, type CreatedWorkspace, createWorkspace, ensureDefaultWorkspace, generateApiKey, generateTokenSecret, hashApiKey } from "./keys.js";
export { type SecretBox, SealedSecretError, createSecretBox } from "./secret-box.js";
export { type ResolvedSecretKey, SECRET_KEY_ENV, parseSecretKey, resolveSecretKey } from "./secret-key.js";
export { sealTokenSecrets } from "./seal-token-secrets.js";
export { type IssuedStaffToken, REFRESH_TOKEN_PREFIX, StaffNotFoundError, type StaffRevocation } from "./sessions.js";
export {
  DEFAULT_SESSION_TTL_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  InvalidTokenError,
  MAX_SESSION_TTL_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
  MIN_SESSION_TTL_SECONDS,
  MIN_TOKEN_TTL_SECONDS,
  type StaffTokenClaims,
  signStaffToken,
  tokenSecretOf,
  verifyStaffToken,
} from "./tokens.js";
