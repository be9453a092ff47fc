import type { Effect, Journey, JourneyState } from "@sopline/core";

/** The columns of an enrollment the engine reads. */
export interface EnrollmentRow {
  id: string;
  workspace_id: string;
  customer_id: string;
  journey_key: string;
  journey_version: number;
  staff_id: string | null;
  state: JourneyState;
  /** Channels closed for this enrollment (closed-channels.ts); absent or null: none. */
  closed_channels?: string[] | null;
}

export const ENROLLMENT_COLUMNS = "id, workspace_id, customer_id, journey_key, journey_version, staff_id, state, closed_channels";

/** One enrollment moved forward by the core: the row as it was, the new state and the effects. */
export interface AdvancedEnrollment {
  row: EnrollmentRow;
  state: JourneyState;
  effects: Effect[];
  /** The journey that advanced it: the workspace's marketing cap asks it about each due step. */
  journey?: Journey;
}
