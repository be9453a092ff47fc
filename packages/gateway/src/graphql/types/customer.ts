import { builder } from "../builder.js";
import { enrollmentScope } from "../services/visibility.js";
import { EnrollmentType } from "./enrollment.js";

export const CustomerType = builder.prismaObject("Customer", {
  description: "A contact being nurtured. Staff tokens only ever see their own customers.",
  fields: (t) => ({
    id: t.exposeID("id"),
    externalId: t.exposeString("externalId", { description: "the caller's id for the customer" }),
    name: t.exposeString("name", { nullable: true }),
    timezone: t.exposeString("timezone", { nullable: true }),
    birthday: t.exposeString("birthday", { nullable: true }),
    attributes: t.expose("attributes", { type: "JSON" }),
    wecomExternalUserId: t.exposeString("wecomExternalUserId", { nullable: true }),
    oaOpenId: t.exposeString("oaOpenId", { nullable: true }),
    unionId: t.exposeString("unionId", { nullable: true }),
    lastEventAt: t.field({ type: "DateTime", nullable: true, resolve: (c, _args, ctx) => ctx.loaders.lastEventAt.load(c.id) }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    staffId: t.exposeID("staffId", { nullable: true }),
    staff: t.relation("staff", { nullable: true }),
    tags: t.stringList({
      select: { tags: { select: { tag: true }, orderBy: { tag: "asc" } } },
      resolve: (c) => c.tags.map((x) => x.tag),
    }),
    journeys: t.relation("enrollments", {
      type: EnrollmentType,
      description: "the customer's journeys (active first, then ended); a staff token sees its own and unowned ones",
      query: (_args, ctx) => ({ where: enrollmentScope(ctx), orderBy: [{ endedAt: { sort: "desc", nulls: "first" } }, { createdAt: "asc" }] }),
    }),
  }),
});
