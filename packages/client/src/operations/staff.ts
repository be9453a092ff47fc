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
 * Signs a staff token for a mini-program (`client.issueStaffToken()`).
 *
 * @example
 * await client.request(IssueStaffTokenMutation, { staffId, ttlSeconds: 86_400 });
 */
export const IssueStaffTokenMutation = graphql(
  `
  mutation IssueStaffToken($staffId: ID!, $ttlSeconds: Int = 86400) {
    issueStaffToken(staffId: $staffId, ttlSeconds: $ttlSeconds) { token expiresAt staff { ...StaffFields } }
  }
`,
  [StaffFields],
);

/** A staff member. */
export type Staff = ResultOf<typeof StaffFields>;
/** Who is calling (`client.viewer()`). */
export type Viewer = ResultOf<typeof ViewerQuery>["viewer"];
/** What `client.upsertStaff()` takes. */
export type StaffInput = VariablesOf<typeof UpsertStaffMutation>["input"];
/** A signed staff token (`client.issueStaffToken()`). */
export type StaffToken = ResultOf<typeof IssueStaffTokenMutation>["issueStaffToken"];
