/**
 * Channels an enrollment can no longer use (`enrollments.closed_channels`): a customer who deleted
 * the staff member is out of reach of that member's WeCom touches, one who unfollowed the official
 * account out of its messages; the journey's other channels go on. Steps due on a closed channel are
 * recorded skipped with {@link closedChannelReason}, never sent, until the channel opens again (the
 * customer adds the staff member back, follows again).
 */
import type { JourneyDefinition } from "@sopline/core";

/** What a WeCom friendship with the staff member carries. */
export const WECOM_FRIEND_CHANNELS = ["private_chat", "group_chat", "moments"] as const;

export function closedChannelReason(channel: string): string {
  return `channel closed: ${channel} no longer reaches the customer (contact deleted)`;
}

/** Every channel a journey's steps (and their alternatives) use. */
export function channelsOf(definition: JourneyDefinition): Set<string> {
  const out = new Set<string>();
  for (const stage of definition.stages) {
    for (const step of stage.sop ?? []) {
      out.add(step.channel);
      for (const alt of step.waitFor?.alternatives ?? []) out.add(alt.channel ?? step.channel);
    }
  }
  return out;
}

/** SQL: `closed_channels` with $n's channels added. */
export const closeChannels = (n: number) => `ARRAY(SELECT DISTINCT c FROM unnest(COALESCE(closed_channels, '{}') || $${n}::text[]) AS c ORDER BY c)`;

/** SQL: `closed_channels` without $n's channels (NULL when none is left). */
export const openChannels = (n: number) => `NULLIF(ARRAY(SELECT c FROM unnest(closed_channels) AS c WHERE c <> ALL($${n}::text[]) ORDER BY c), '{}')`;
