import type { Notices } from "../engine/persist-advances.js";
import { type LivePubSub, boardTopic, taskTopic, timelineTopic } from "./pubsub.js";

/** Publishes what a committed transaction changed. Subscribers that miss it catch up by cursor. */
export function publishNotices(pubsub: LivePubSub, notices: Notices): void {
  for (const task of notices.tasks) pubsub.publish(taskTopic(task.workspaceId, task.staffId), { ...task, change: "created" });
  for (const workspaceId of notices.boards) pubsub.publish(boardTopic(workspaceId), { workspaceId });
  for (const t of notices.timelines) pubsub.publish(timelineTopic(t.workspaceId, t.customerId), { customerId: t.customerId, effects: t.effects });
}
