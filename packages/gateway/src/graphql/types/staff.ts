import { builder } from "../builder.js";

export const StaffType = builder.prismaObject("Staff", {
  description: "A staff member (e.g. a WeCom account holder) who owns customers and does tasks.",
  fields: (t) => ({
    id: t.exposeID("id"),
    externalId: t.exposeString("externalId", { description: "e.g. the WeCom userid" }),
    name: t.exposeString("name"),
    team: t.exposeString("team", { nullable: true }),
    active: t.exposeBoolean("active"),
    timezone: t.exposeString("timezone", { nullable: true, description: "IANA zone of the staff member's 群发 send slots (null: the workspace's slot zone)" }),
    leadId: t.exposeID("leadId", { nullable: true, description: "the team lead overdue opportunities escalate to" }),
  }),
});
