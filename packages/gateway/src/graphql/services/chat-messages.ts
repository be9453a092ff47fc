/**
 * A chat task's content as chat-toolbar payloads, with its links as tracked links of the task's
 * delivery when the gateway tracks links: the staff member sends it from the toolbar, so the
 * delivery worker never renders it. The delivery's tracked row is made on the first read (the
 * same row, so the same links, on every later read).
 */
import { type ChatToolbarMessage, chatToolbarMessages } from "../../wecom-integration/content.js";
import type { Context } from "../context.js";

export async function trackedChatMessages(ctx: Context, task: { content: string; deliveryKey: string | null }, body: unknown): Promise<ChatToolbarMessage[]> {
  if (!ctx.messageTracker || !task.deliveryKey || body === null || body === undefined) return chatToolbarMessages(task.content, body);
  const d = await ctx.db.prisma.delivery.findUnique({
    where: { key: task.deliveryKey },
    select: { key: true, workspaceId: true, customerId: true, journeyKey: true, stage: true, stepId: true, content: true },
  });
  if (!d) return chatToolbarMessages(task.content, body);
  const rendered = await ctx.messageTracker.renderDelivery({ deliveryKey: d.key, workspaceId: d.workspaceId, customerId: d.customerId, journeyKey: d.journeyKey, stage: d.stage, stepId: d.stepId, content: d.content }, body);
  return chatToolbarMessages(task.content, rendered);
}
