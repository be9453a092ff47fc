import { builder } from "../builder.js";
import type { Staff } from "../../db/index.js";
import { StaffType } from "./staff.js";

export interface BoardStageShape {
  id: string;
  name: string | null;
  kind: string | null;
  customers: number;
}
export interface BoardJourneyShape {
  key: string;
  version: number | null;
  name: string | null;
  customers: number;
  stages: BoardStageShape[];
}
export interface SopTaskCountsShape {
  chat: number;
  call: number;
  overdueChat: number;
  overdueCall: number;
}
export interface OpportunityShape {
  id: string;
  kind: "chat" | "call";
  customerId: string;
  customerName: string;
  /** the customer's staff member now */
  staffId: string | null;
  intent: number;
  signal: string;
  content: string | null;
  signals: number;
  waitingSince: Date;
  lastSignalAt: Date;
  waitingMinutes: number;
  overdue: boolean;
}
export interface StaffOpportunitiesShape extends SopTaskCountsShape {
  staff: Staff;
  sopTasks: SopTaskCountsShape;
  chatOpportunities: OpportunityShape[];
  callOpportunities: OpportunityShape[];
  chatOpportunityCount: number;
  callOpportunityCount: number;
  escalated: OpportunityShape[];
}
export interface BoardShape {
  date: string;
  timezone: string;
  journeys: BoardJourneyShape[];
  staff: StaffOpportunitiesShape[];
}

const BoardStageType = builder.objectRef<BoardStageShape>("BoardStage").implement({
  fields: (t) => ({
    id: t.exposeString("id"),
    name: t.exposeString("name", { nullable: true }),
    kind: t.exposeString("kind", { nullable: true }),
    customers: t.exposeInt("customers", { description: "customers currently in this stage" }),
  }),
});

const BoardJourneyType = builder.objectRef<BoardJourneyShape>("BoardJourney").implement({
  fields: (t) => ({
    key: t.exposeString("key"),
    version: t.exposeInt("version", { nullable: true, description: "the newest active version (stage names and order come from it)" }),
    name: t.exposeString("name", { nullable: true }),
    customers: t.exposeInt("customers"),
    stages: t.field({ type: [BoardStageType], resolve: (j) => j.stages }),
  }),
});

const SopTaskCountsType = builder.objectRef<SopTaskCountsShape>("SopTaskCounts").implement({
  description: "Open chat and call tasks of the SOPs (steps in task mode), apart from the customers who showed intent.",
  fields: (t) => ({
    chat: t.exposeInt("chat", { description: "open chat tasks due today" }),
    call: t.exposeInt("call", { description: "open call tasks due today" }),
    overdueChat: t.exposeInt("overdueChat", { description: "open chat tasks due before today" }),
    overdueCall: t.exposeInt("overdueCall", { description: "open call tasks due before today" }),
  }),
});

export const OpportunityKindEnum = builder.enumType("OpportunityKind", {
  values: {
    CHAT: { value: "chat" as const, description: "今日聊天机会: answer them in chat" },
    CALL: { value: "call" as const, description: "今日通话机会: call them (the journey's `opportunities.call` signals)" },
  },
});

export const OpportunityType = builder.objectRef<OpportunityShape>("Opportunity").implement({
  description: "A customer who showed intent today (replied, asked, read, clicked, asked for a demo) and has not been answered since.",
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.field({ type: OpportunityKindEnum, resolve: (o) => o.kind }),
    customerId: t.exposeID("customerId"),
    customerName: t.exposeString("customerName", { description: "the customer's name, else their external id" }),
    staffId: t.exposeID("staffId", { nullable: true, description: "the customer's staff member" }),
    intent: t.exposeInt("intent", { description: "the strongest signal's intent (lists are sorted by it, then by waiting time)" }),
    signal: t.exposeString("signal", { description: "the strongest signal's event name" }),
    content: t.exposeString("content", { nullable: true, description: "content ref of the latest signal that named one" }),
    signals: t.exposeInt("signals", { description: "signals since the first unanswered one" }),
    waitingSince: t.field({ type: "DateTime", resolve: (o) => o.waitingSince }),
    lastSignalAt: t.field({ type: "DateTime", resolve: (o) => o.lastSignalAt }),
    waitingMinutes: t.exposeInt("waitingMinutes"),
    overdue: t.exposeBoolean("overdue", { description: "waiting longer than the workspace's opportunityEscalationHours: shown to the staff member's lead" }),
  }),
});

const StaffOpportunitiesType = builder.objectRef<StaffOpportunitiesShape>("StaffOpportunities").implement({
  description: "今日聊天机会 / 今日通话机会 per staff member: customers who showed intent today and wait for an answer; SOP tasks apart.",
  fields: (t) => ({
    staff: t.field({ type: StaffType, resolve: (o) => o.staff }),
    chatOpportunities: t.field({ type: [OpportunityType], description: "今日聊天机会, best first (at most 20; `opportunities` has all)", resolve: (o) => o.chatOpportunities }),
    callOpportunities: t.field({ type: [OpportunityType], description: "今日通话机会, best first (at most 20; `opportunities` has all)", resolve: (o) => o.callOpportunities }),
    chatOpportunityCount: t.exposeInt("chatOpportunityCount"),
    callOpportunityCount: t.exposeInt("callOpportunityCount"),
    escalated: t.field({ type: [OpportunityType], description: "for a team lead: their team's overdue opportunities", resolve: (o) => o.escalated }),
    sopTasks: t.field({ type: SopTaskCountsType, resolve: (o) => o.sopTasks }),
    chat: t.exposeInt("chat", { description: "open chat tasks due today", deprecationReason: "use sopTasks.chat (chatOpportunities lists the customers who showed intent)" }),
    call: t.exposeInt("call", { description: "open call tasks due today", deprecationReason: "use sopTasks.call (callOpportunities lists the customers who showed intent)" }),
    overdueChat: t.exposeInt("overdueChat", { description: "open chat tasks due before today", deprecationReason: "use sopTasks.overdueChat" }),
    overdueCall: t.exposeInt("overdueCall", { description: "open call tasks due before today", deprecationReason: "use sopTasks.overdueCall" }),
  }),
});

export const BoardType = builder.objectRef<BoardShape>("Board").implement({
  description: "The operator's board (看板): customers per stage per journey, and today's opportunities per staff member.",
  fields: (t) => ({
    date: t.exposeString("date", { description: "today (YYYY-MM-DD) in `timezone`" }),
    timezone: t.exposeString("timezone"),
    journeys: t.field({ type: [BoardJourneyType], resolve: (b) => b.journeys }),
    staff: t.field({ type: [StaffOpportunitiesType], resolve: (b) => b.staff }),
  }),
});
