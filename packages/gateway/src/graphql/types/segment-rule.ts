import { builder } from "../builder.js";

export const SegmentRuleType = builder.prismaObject("SegmentRule", {
  description: "Routes a new customer (by attributes) to a journey and a staff member or a team (round-robin).",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    priority: t.exposeInt("priority", { description: "lower runs first" }),
    match: t.expose("match", { type: "JSON", description: 'attribute → value, { "in": [values] } or { "exists": true }' }),
    journeyKey: t.exposeString("journeyKey"),
    team: t.exposeString("team", { nullable: true }),
    staff: t.relation("staff", { nullable: true }),
    active: t.exposeBoolean("active"),
  }),
});
