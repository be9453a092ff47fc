/** The operator's board (看板): customers per stage, today's chat / call opportunities per staff member. */
import { graphql, type ResultOf } from "../graphql.js";

/**
 * The board's fields, shared by the query and the subscription.
 *
 * @example
 * graphql(`query { board { ...BoardFields } }`, [BoardFields]);
 */
export const BoardFields = graphql(`
  fragment BoardFields on Board {
    date
    timezone
    journeys { key version name customers stages { id name kind customers } }
    staff { staff { id externalId name team } chat call overdueChat overdueCall }
  }
`);

/**
 * Customers per stage and today's opportunities (`client.board()`).
 *
 * @example
 * await client.request(BoardQuery, { journeyKey: "b2b-nurture" });
 */
export const BoardQuery = graphql(
  `
  query Board($journeyKey: String) {
    board(journeyKey: $journeyKey) { ...BoardFields }
  }
`,
  [BoardFields],
);

/**
 * The board, recomputed on every change (`client.boardChanges()`).
 *
 * @example
 * client.subscribe(BoardChangedSubscription, {}, { next: ({ boardChanged }) => render(boardChanged.board) });
 */
export const BoardChangedSubscription = graphql(
  `
  subscription BoardChanged($journeyKey: String) {
    boardChanged { board(journeyKey: $journeyKey) { ...BoardFields } }
  }
`,
  [BoardFields],
);

/** The board as `client.board()` returns it. */
export type Board = ResultOf<typeof BoardQuery>["board"];
