import type { Notices } from "../engine/persist-advances.js";
import { type LivePubSub, boardTopic, taskTopic, timelineTopic } from "./pubsub.js";

/** Publishes what a committed transaction changed. Subscribers that miss it catch up by cursor. */
export function publishNotices(pubsub: LivePubSub, notices: Notices): void {
  // New tasks have no seq until their commit: the gateway's pubsub (numberTasksOnPublish) looks
  // them up and publishes them in seq order, as the client's resumable feed needs.
  const tasks = notices.tasks;
  const boards = new Set(notices.boards);
  for (const task of tasks) {
    pubsub.publish(taskTopic(task.workspaceId, task.staffId), { ...task, change: "created" });
    // New tasks change the board's chat / call opportunities too.
    boards.add(task.workspaceId);
  }
  for (const task of notices.removedTasks ?? []) {
    pubsub.publish(taskTopic(task.workspaceId, task.staffId), { ...task, change: "removed" });
    boards.add(task.workspaceId);
  }
  // Alerts carry seq "0": they are not tasks and tasksSince never returns them.
  for (const alert of notices.alerts ?? []) pubsub.publish(taskTopic(alert.workspaceId, alert.staffId), { ...alert, change: "alert" });
  for (const workspaceId of boards) pubsub.publish(boardTopic(workspaceId), { workspaceId });
  for (const t of notices.timelines) pubsub.publish(timelineTopic(t.workspaceId, t.customerId), { customerId: t.customerId, staffId: t.staffId, effects: t.effects });
}
