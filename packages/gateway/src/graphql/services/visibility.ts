import type { Prisma } from "../../db/index.js";
import { type Context, requireAuth } from "../context.js";
import { notFound } from "../errors.js";

/** Customers the caller may see: the workspace's, and for a staff token only their own. */
export function customerScope(ctx: Context): Prisma.CustomerWhereInput {
  const auth = requireAuth(ctx);
  return auth.kind === "staff" ? { workspaceId: auth.workspaceId, staffId: auth.staffId } : { workspaceId: auth.workspaceId };
}

/** Tasks the caller may see. */
export function taskScope(ctx: Context): Prisma.TaskWhereInput {
  const auth = requireAuth(ctx);
  return auth.kind === "staff" ? { workspaceId: auth.workspaceId, staffId: auth.staffId } : { workspaceId: auth.workspaceId };
}

/** Throws NOT_FOUND unless the caller may see the customer (another workspace's or staff member's looks the same as none). */
export async function assertCustomerVisible(ctx: Context, customerId: string): Promise<{ id: string; staffId: string | null }> {
  const row = await ctx.db.prisma.customer.findFirst({ where: { ...customerScope(ctx), id: customerId }, select: { id: true, staffId: true } });
  if (!row) throw notFound("customer", customerId);
  return row;
}

/** Throws NOT_FOUND unless the staff member exists in the caller's workspace (and is active, when asked). */
export async function assertStaffInWorkspace(ctx: Context, staffId: string, activeOnly = false): Promise<void> {
  const auth = requireAuth(ctx);
  const row = await ctx.db.prisma.staff.findFirst({ where: { id: staffId, workspaceId: auth.workspaceId, ...(activeOnly ? { active: true } : {}) }, select: { id: true } });
  if (!row) throw notFound(activeOnly ? "active staff member" : "staff member", staffId);
}
