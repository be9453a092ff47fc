// The gateway's clock as one request sees it: the console previews timelines from it, not from the
// browser's clock (the gateway's clock is injected: tests and simulations run it ahead or behind).
import { builder } from "../builder.js";

builder.queryField("serverTime", (t) =>
  t.field({
    type: "DateTime",
    description: "The gateway's current time (the request's `now`, the instant every field of the request uses).",
    resolve: (_root, _args, ctx) => ctx.now,
  }),
);
