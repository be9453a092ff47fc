import type { Notices } from "../engine/persist-advances.js";
import { type LivePubSub, boardTopic, taskTopic, timelineTopic } from "./pubsub.js";

/** Publishes what a committed transaction changed. Subscribers that miss it catch up by cursor. */
export function publishNotices(pubsub: LivePubSub, notices: Notices): void {
  // Tasks in seq order per feed: the client's resumable feed keeps a high-water mark.
  const tasks = [...notices.tasks].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  const boards = new Set(notices.boards);
  for (const task of tasks) {
    pubsub.publish(taskTopic(task.workspaceId, task.staffId), { ...task, change: "created" });
    // New tasks change the board's chat / call opportunities too.
    boards.add(task.workspaceId);
  }
  for (const workspaceId of boards) pubsub.publish(boardTopic(workspaceId), { workspaceId });
  for (const t of notices.timelines) pubsub.publish(timelineTopic(t.workspaceId, t.customerId), { customerId: t.customerId, staffId: t.staffId, effects: t.effects });
}
