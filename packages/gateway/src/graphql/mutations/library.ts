import { UnknownJourneyError } from "../../engine/enroll.js";
import { linkIssues } from "../../tracking/content-links.js";
import { segmentMatchIssue } from "../../engine/segments.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { isTimeZone } from "../services/board.js";
import { upsertContent, upsertStaff } from "../services/library.js";
import { assertStaffInWorkspace } from "../services/visibility.js";
import { ContentType } from "../types/content.js";
import { ChannelEnum } from "../types/enums.js";
import { SegmentRuleType } from "../types/segment-rule.js";
import { StaffType } from "../types/staff.js";

const ContentInput = builder.inputType("ContentInput", {
  fields: (t) => ({
    ref: t.string({ required: true, description: "the ref journeys use" }),
    title: t.string({ required: true }),
    body: t.field({ type: "JSON", required: true, description: "the message: text, article, media ids, …" }),
    type: t.string({ required: true, description: "offer | qa | objection | article | greeting | case | …" }),
    topic: t.string({ description: "function | case | brand | …" }),
    awareness: t.string({ description: "problem-aware | solution-aware | product-aware" }),
    cta: t.string({ description: "call to action" }),
    channel: t.field({ type: ChannelEnum }),
    version: t.int({ description: "default: bumped when title, type or body change" }),
    expiresAt: t.field({ type: "DateTime" }),
  }),
});

const StaffInput = builder.inputType("StaffInput", {
  fields: (t) => ({
    externalId: t.string({ required: true, description: "e.g. the WeCom userid" }),
    name: t.string({ required: true }),
    team: t.string(),
    active: t.boolean(),
    timezone: t.string({ description: "IANA zone the staff member works in: their 群发 send slots are in it (null: the workspace's slot zone); omitted keeps it" }),
    leadExternalId: t.string({ description: "the team lead (a staff member's external id) their overdue opportunities escalate to; null clears it" }),
  }),
});

const SegmentRuleInput = builder.inputType("SegmentRuleInput", {
  fields: (t) => ({
    id: t.id({ description: "update this rule; without it a rule with the same name is updated, else one is created" }),
    name: t.string({ required: true }),
    priority: t.int({ description: "lower runs first (default 0)" }),
    match: t.field({ type: "JSON", required: true, description: 'attribute → value, { "in": [values] } or { "exists": true }' }),
    journeyKey: t.string({ required: true }),
    team: t.string({ description: "assign round-robin within this team" }),
    staffId: t.id({ description: "or always to this staff member" }),
    active: t.boolean(),
  }),
});

const SHORT = 200;

builder.mutationFields((t) => ({
  upsertContent: t.prismaField({
    type: ContentType,
    description: "Creates or updates a content library entry by ref.",
    extensions: { access: "apiKey", limits: { strings: { "input.body": 100_000, ref: SHORT, "input.ref": SHORT, "input.title": 500 } } },
    args: { input: t.arg({ type: ContentInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const auth = requireAuth(ctx);
      if (!/^[\w.:-]+$/.test(input.ref)) throw badInput(`input.ref: letters, digits, ".", ":", "-" and "_" only, got "${input.ref}"`);
      // Links go out as tracked links that redirect to them: only web pages may be their targets.
      const issues = linkIssues(input.body, "input.body");
      if (issues.length > 0) throw badInput(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
      const row = await upsertContent(ctx.db, auth.workspaceId, { ...input, body: input.body });
      return ctx.db.prisma.content.findUniqueOrThrow({ ...query, where: { id: row.id } });
    },
  }),
  upsertStaff: t.prismaField({
    type: StaffType,
    description: "Creates or updates a staff member by external id.",
    extensions: { access: "apiKey", limits: { strings: { "input.externalId": SHORT, "input.name": SHORT, "input.team": SHORT, "input.timezone": SHORT, "input.leadExternalId": SHORT } } },
    args: { input: t.arg({ type: StaffInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      if (input.timezone && !isTimeZone(input.timezone)) throw badInput(`input.timezone: "${input.timezone}" is not an IANA time zone (e.g. Asia/Tokyo)`);
      const row = await upsertStaff(ctx.db, requireAuth(ctx).workspaceId, input);
      return ctx.db.prisma.staff.findUniqueOrThrow({ ...query, where: { id: row.id } });
    },
  }),
  upsertSegmentRule: t.prismaField({
    type: SegmentRuleType,
    description: "Creates or updates a segment rule that routes new customers to a journey and a staff member or team.",
    extensions: { access: "apiKey", limits: { argsBytes: 64 * 1024 } },
    args: { input: t.arg({ type: SegmentRuleInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const auth = requireAuth(ctx);
      const matchIssue = segmentMatchIssue(input.match);
      if (matchIssue) throw badInput(`input.match${matchIssue.path}: ${matchIssue.message}`);
      if (input.staffId) await assertStaffInWorkspace(ctx, String(input.staffId));
      // Routing meets the journey only when a new customer arrives: a typo must show now, not then.
      if (!(await ctx.registry.latest(ctx.db.sql, auth.workspaceId, input.journeyKey))) throw badInput(`input.journeyKey: ${new UnknownJourneyError(input.journeyKey).message}`);
      const data = {
        name: input.name,
        priority: input.priority ?? 0,
        match: input.match as object,
        journeyKey: input.journeyKey,
        team: input.team ?? null,
        staffId: input.staffId ? String(input.staffId) : null,
        active: input.active ?? true,
      };
      const existing = input.id
        ? await ctx.db.prisma.segmentRule.findFirst({ where: { id: String(input.id), workspaceId: auth.workspaceId }, select: { id: true } })
        : await ctx.db.prisma.segmentRule.findFirst({ where: { name: input.name, workspaceId: auth.workspaceId }, select: { id: true } });
      if (input.id && !existing) throw notFound("segment rule", String(input.id));
      const row = existing
        ? await ctx.db.prisma.segmentRule.update({ where: { id: existing.id }, data })
        : await ctx.db.prisma.segmentRule.create({ data: { ...data, workspaceId: auth.workspaceId } });
      return ctx.db.prisma.segmentRule.findUniqueOrThrow({ ...query, where: { id: row.id } });
    },
  }),
}));
