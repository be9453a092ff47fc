/** Who is calling, staff members and the tokens their mini-programs use. */
import { graphql, type ResultOf, type VariablesOf } from "../graphql.js";

/**
 * A staff member's fields.
 *
 * @example
 * graphql(`query { staff { ...StaffFields } }`, [StaffFields]);
 */
export const StaffFields = graphql(`
  fragment StaffFields on Staff { id externalId name team active }
`);

/**
 * Who is calling (`client.viewer()`).
 *
 * @example
 * const { viewer } = await client.request(ViewerQuery);
 */
export const ViewerQuery = graphql(
  `
  query Viewer { viewer { kind workspace { id name } staff { ...StaffFields } } }
`,
  [StaffFields],
);

/**
 * Creates or updates a staff member (`client.upsertStaff()`).
 *
 * @example
 * await client.request(UpsertStaffMutation, { input: { externalId: "amy", name: "Amy" } });
 */
export const UpsertStaffMutation = graphql(
  `
  mutation UpsertStaff($input: StaffInput!) { upsertStaff(input: $input) { ...StaffFields } }
`,
  [StaffFields],
);

/**
 * Signs in a staff member's mini-program (`client.issueStaffToken()`, with an API key): an access
 * token (1 hour unless `ttlSeconds`) and a refresh token (`createStaffSession` renews with it).
 *
 * @example
 * await client.request(IssueStaffTokenMutation, { staffId });
 */
export const IssueStaffTokenMutation = graphql(
  `
  mutation IssueStaffToken($staffId: ID!, $ttlSeconds: Int, $sessionTtlSeconds: Int) {
    issueStaffToken(staffId: $staffId, ttlSeconds: $ttlSeconds, sessionTtlSeconds: $sessionTtlSeconds) {
      id token expiresAt expiresIn refreshToken refreshExpiresAt staff { ...StaffFields }
    }
  }
`,
  [StaffFields],
);

/**
 * A new access token and refresh token for a refresh token; needs no other credential (`client.refreshStaffToken()`).
 *
 * @example
 * await client.request(RefreshStaffTokenMutation, { refreshToken });
 */
export const RefreshStaffTokenMutation = graphql(`
  mutation RefreshStaffToken($refreshToken: String!) {
    refreshStaffToken(refreshToken: $refreshToken) { id token expiresAt expiresIn refreshToken refreshExpiresAt }
  }
`);

/**
 * Revokes a staff token by its id (`client.revokeStaffToken()`): with a staff token, signs out.
 *
 * @example
 * await client.request(RevokeStaffTokenMutation, { id: session.id });
 */
export const RevokeStaffTokenMutation = graphql(`
  mutation RevokeStaffToken($id: ID!) { revokeStaffToken(id: $id) }
`);

/** A staff member. */
export type Staff = ResultOf<typeof StaffFields>;
/** Who is calling (`client.viewer()`). */
export type Viewer = ResultOf<typeof ViewerQuery>["viewer"];
/** What `client.upsertStaff()` takes. */
export type StaffInput = VariablesOf<typeof UpsertStaffMutation>["input"];
/** A signed staff token (`client.issueStaffToken()`). */
export type StaffToken = ResultOf<typeof IssueStaffTokenMutation>["issueStaffToken"];
/** A renewed staff token (`client.refreshStaffToken()`). */
export type RefreshedStaffToken = ResultOf<typeof RefreshStaffTokenMutation>["refreshStaffToken"];
