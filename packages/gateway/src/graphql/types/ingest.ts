import { builder } from "../builder.js";
import { CustomerIdKindEnum } from "./enums.js";

export const CustomerProfileInput = builder.inputType("CustomerProfileInput", {
  description: "Profile of a customer created on first sight.",
  fields: (t) => ({
    name: t.string(),
    timezone: t.string({ description: "IANA zone" }),
    birthday: t.string({ description: '"MM-DD" or "YYYY-MM-DD"' }),
    attributes: t.field({ type: "JSON", description: "flat attributes (segment rules and send windows read them)" }),
  }),
});

export const EventInputType = builder.inputType("EventInput", {
  fields: (t) => ({
    id: t.string({ required: true, description: "your id for the event: retries with the same id count once" }),
    customer: t.string({ required: true, description: "the customer's id (of kind customerIdKind)" }),
    customerIdKind: t.field({ type: CustomerIdKindEnum, defaultValue: "external" }),
    name: t.string({ required: true, description: "e.g. message.replied, demo.attended, order.paid" }),
    at: t.field({ type: "DateTime", required: true }),
    data: t.field({ type: "JSON" }),
    profile: t.field({ type: CustomerProfileInput, description: "used when the workspace creates unknown customers" }),
  }),
});

export interface RejectedEventShape {
  index: number;
  id: string | null;
  code: string;
  message: string;
}

const RejectedEventType = builder.objectRef<RejectedEventShape>("RejectedEvent").implement({
  fields: (t) => ({
    index: t.exposeInt("index", { description: "position in the batch" }),
    id: t.exposeString("id", { nullable: true }),
    code: t.exposeString("code", { description: "BAD_EVENT | UNKNOWN_CUSTOMER | FUTURE_EVENT | NO_JOURNEY" }),
    message: t.exposeString("message", { description: "names the field, e.g. events[3].at: …" }),
  }),
});

export const IngestResultType = builder.objectRef<{ accepted: number; duplicates: number; rejected: RejectedEventShape[] }>("IngestResult").implement({
  fields: (t) => ({
    accepted: t.exposeInt("accepted", { description: "new events recorded and applied" }),
    duplicates: t.exposeInt("duplicates", { description: "events whose id was already recorded" }),
    rejected: t.field({ type: [RejectedEventType], resolve: (r) => r.rejected }),
  }),
});
