import { type CustomerProfile as Profile, profileIssue } from "../../engine/customer-profile.js";
import { emptyNotices } from "../../engine/persist-advances.js";
import { enrollCustomers } from "../../engine/enroll.js";
import { handoverCustomer } from "../../engine/handover.js";
import { moveCustomer } from "../../engine/move.js";
import { publishNotices } from "../../live/publish-notices.js";
import { taskTopic } from "../../live/pubsub.js";
import { builder } from "../builder.js";
import { type Context, requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { assertCustomerVisible, assertStaffInWorkspace } from "../services/visibility.js";
import { EnrollmentType } from "../types/enrollment.js";

const EnrollProfileInput = builder.inputType("EnrollProfileInput", {
  description: "Profile and channel identities of the customer (created when unknown, updated where given).",
  fields: (t) => ({
    name: t.string(),
    timezone: t.string({ description: "IANA zone" }),
    birthday: t.string({ description: '"MM-DD" or "YYYY-MM-DD"' }),
    attributes: t.field({ type: "JSON" }),
    wecomExternalUserId: t.string(),
    oaOpenId: t.string(),
    unionId: t.string(),
  }),
});
const EnrollPayload = builder.objectRef<{ customerId: string; enrollmentId: string; created: boolean }>("EnrollPayload").implement({
  fields: (t) => ({
    customerId: t.exposeID("customerId"),
    enrollmentId: t.exposeID("enrollmentId"),
    customer: t.prismaField({
      type: "Customer",
      resolve: (query, p, _args, ctx) => ctx.db.prisma.customer.findUniqueOrThrow({ ...query, where: { id: p.customerId } }),
    }),
    created: t.exposeBoolean("created", { description: "false when the customer already was in this journey with this staff member" }),
  }),
});

const HandoverPayload = builder.objectRef<{ customerId: string; enrollments: number; movedTasks: number }>("HandoverPayload").implement({
  fields: (t) => ({
    customerId: t.exposeID("customerId"),
    customer: t.prismaField({
      type: "Customer",
      resolve: (query, p, _args, ctx) => ctx.db.prisma.customer.findUniqueOrThrow({ ...query, where: { id: p.customerId } }),
    }),
    enrollments: t.exposeInt("enrollments", { description: "journeys that followed the customer to the new staff member" }),
    movedTasks: t.exposeInt("movedTasks", { description: "open tasks moved to the new staff member" }),
  }),
});

function checkProfile(p: Profile | null | undefined): void {
  const issue = profileIssue(p);
  if (issue) throw badInput(`profile${issue.path}: ${issue.message}`);
}

async function handover(ctx: Context, customerId: string, toStaffId: string, reason: "assign" | "handover") {
  const auth = requireAuth(ctx);
  await assertCustomerVisible(ctx, customerId);
  await assertStaffInWorkspace(ctx, toStaffId, true);
  const notices = emptyNotices();
  const result = await handoverCustomer(ctx.db, ctx.registry, { workspaceId: auth.workspaceId, customerId, toStaffId, by: auth.staffId ?? "api", at: ctx.now, reason }, notices);
  publishNotices(ctx.pubsub, notices);
  for (const task of result.movedTasks) ctx.pubsub.publish(taskTopic(task.workspaceId, task.staffId), task);
  return { customerId, enrollments: result.enrollments, movedTasks: result.movedTasks.filter((t) => t.change === "created").length };
}

builder.mutationFields((t) => ({
  enroll: t.field({
    type: EnrollPayload,
    description: "Enrolls a customer (created if unknown) in the newest version of a journey, now. Steps due at once (a greeting) fire immediately.",
    extensions: { access: "apiKey" },
    args: {
      customerExternalId: t.arg.string({ required: true }),
      journeyKey: t.arg.string({ required: true }),
      staffId: t.arg.id({ description: "the owning staff member (default: the customer's)" }),
      profile: t.arg({ type: EnrollProfileInput }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const profile = args.profile as Profile | null | undefined;
      checkProfile(profile);
      if (args.staffId) await assertStaffInWorkspace(ctx, String(args.staffId), true);
      const notices = emptyNotices();
      const out = await ctx.db.sql.transaction(async (tx) => {
        const p = profile ?? {};
        const [customer] = await tx.query<{ id: string; staff_id: string | null; timezone: string | null; birthday: string | null; attributes: Record<string, unknown> }>(
          `INSERT INTO customers (workspace_id, external_id, name, timezone, birthday, attributes, staff_id, wecom_external_user_id, oa_open_id, union_id)
           VALUES ($1, $2, $3, $4, $5, COALESCE($6::jsonb, '{}'::jsonb), $7, $8, $9, $10)
           ON CONFLICT (workspace_id, external_id) DO UPDATE SET
             name = COALESCE(EXCLUDED.name, customers.name),
             timezone = COALESCE($4, customers.timezone),
             birthday = COALESCE($5, customers.birthday),
             attributes = CASE WHEN $6::jsonb IS NULL THEN customers.attributes ELSE customers.attributes || $6::jsonb END,
             staff_id = COALESCE(customers.staff_id, $7),
             wecom_external_user_id = COALESCE($8, customers.wecom_external_user_id),
             oa_open_id = COALESCE($9, customers.oa_open_id),
             union_id = COALESCE($10, customers.union_id)
           RETURNING id, staff_id, timezone, birthday, attributes`,
          [
            auth.workspaceId,
            args.customerExternalId,
            p.name ?? null,
            p.timezone ?? null,
            p.birthday ?? null,
            p.attributes ? JSON.stringify(p.attributes) : null,
            args.staffId ? String(args.staffId) : null,
            p.wecomExternalUserId ?? null,
            p.oaOpenId ?? null,
            p.unionId ?? null,
          ],
        );
        const c = customer!;
        const staffId = args.staffId ? String(args.staffId) : c.staff_id;
        const [enrolled] = await enrollCustomers(
          tx,
          ctx.registry,
          [{ workspaceId: auth.workspaceId, customer: { id: c.id, timezone: c.timezone, birthday: c.birthday, attributes: c.attributes }, journeyKey: args.journeyKey, staffId }],
          ctx.now,
          notices,
        );
        return { customerId: c.id, enrollmentId: enrolled!.enrollmentId, created: enrolled!.created };
      });
      publishNotices(ctx.pubsub, notices);
      return out;
    },
  }),
  moveCustomer: t.prismaField({
    type: EnrollmentType,
    description: "Moves a customer's enrollment in a journey to another stage now (from the board): the old stage's pending steps stop, the new stage's SOP starts.",
    args: { customerId: t.arg.id({ required: true }), journeyKey: t.arg.string({ required: true }), to: t.arg.string({ required: true, description: "stage id" }) },
    resolve: async (query, _root, args, ctx) => {
      const auth = requireAuth(ctx);
      const customerId = String(args.customerId);
      await assertCustomerVisible(ctx, customerId);
      const notices = emptyNotices();
      const moved = await moveCustomer(ctx.db, ctx.registry, { workspaceId: auth.workspaceId, customerId, journeyKey: args.journeyKey, to: args.to, by: auth.staffId ?? "api", at: ctx.now, staffId: auth.staffId }, notices);
      publishNotices(ctx.pubsub, notices);
      const row = await ctx.db.prisma.enrollment.findUnique({ ...query, where: { id: moved.row.id } });
      if (!row) throw notFound("enrollment", moved.row.id);
      return row;
    },
  }),
  assignCustomer: t.field({
    type: HandoverPayload,
    description: "Assigns a customer to a staff member (journeys keep their state; open tasks move).",
    extensions: { access: "apiKey" },
    args: { customerId: t.arg.id({ required: true }), staffId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => handover(ctx, String(args.customerId), String(args.staffId), "assign"),
  }),
  handoverCustomer: t.field({
    type: HandoverPayload,
    description: "Hands a customer over to another staff member: the journey continues where it was, open tasks move to the new owner's feed.",
    extensions: { access: "apiKey" },
    args: { customerId: t.arg.id({ required: true }), toStaffId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => handover(ctx, String(args.customerId), String(args.toStaffId), "handover"),
  }),
}));
