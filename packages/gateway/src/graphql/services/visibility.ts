import type { Prisma } from "../../db/index.js";
import { type Context, requireAuth } from "../context.js";
import { notFound } from "../errors.js";

/** Customers the caller may see: the workspace's, and for a staff token only their own. */
export function customerScope(ctx: Context): Prisma.CustomerWhereInput {
  const auth = requireAuth(ctx);
  return auth.kind === "staff" ? { workspaceId: auth.workspaceId, staffId: auth.staffId } : { workspaceId: auth.workspaceId };
}

/**
 * Whether the caller may see this customer row (already of the caller's workspace): for a staff
 * token only while the customer is theirs. A task or an enrollment can outlive the customer's
 * handover to another member, so whatever leads from them to the customer asks this.
 */
export function customerVisible(ctx: Context, customer: { workspaceId: string; staffId: string | null }): boolean {
  const auth = requireAuth(ctx);
  return customer.workspaceId === auth.workspaceId && (auth.kind !== "staff" || customer.staffId === auth.staffId);
}

/**
 * A visible customer's enrollments the caller may see: for a staff token the ones it owns or
 * nobody owns, not another member's run with the same customer (a customer can be enrolled per
 * staff member, and ended enrollments keep the member who owned them before a handover).
 */
export function enrollmentScope(ctx: Context): Prisma.EnrollmentWhereInput {
  const auth = requireAuth(ctx);
  return auth.kind === "staff" ? { workspaceId: auth.workspaceId, OR: [{ staffId: auth.staffId }, { staffId: null }] } : { workspaceId: auth.workspaceId };
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
