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
export interface StaffOpportunitiesShape {
  staff: Staff;
  chat: number;
  call: number;
  overdueChat: number;
  overdueCall: number;
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

const StaffOpportunitiesType = builder.objectRef<StaffOpportunitiesShape>("StaffOpportunities").implement({
  description: "今日聊天机会 / 今日通话机会: open chat and call tasks due today, per staff member.",
  fields: (t) => ({
    staff: t.field({ type: StaffType, resolve: (o) => o.staff }),
    chat: t.exposeInt("chat", { description: "open chat tasks due today" }),
    call: t.exposeInt("call", { description: "open call tasks due today" }),
    overdueChat: t.exposeInt("overdueChat", { description: "open chat tasks due before today" }),
    overdueCall: t.exposeInt("overdueCall", { description: "open call tasks due before today" }),
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
