// Authentication: workspace API keys (servers) and signed staff tokens (staff members' apps).
export { type Auth, type Authenticator, createAuthenticator } from "./authenticate.js";
export { API_KEY_PREFIX, type CreatedWorkspace, createWorkspace, ensureDefaultWorkspace, generateApiKey, generateTokenSecret, hashApiKey } from "./keys.js";
export {
  InvalidTokenError,
  MAX_TOKEN_TTL_SECONDS,
  MIN_TOKEN_TTL_SECONDS,
  type StaffTokenClaims,
  signStaffToken,
  tokenSecretOf,
  verifyStaffToken,
} from "./tokens.js";
