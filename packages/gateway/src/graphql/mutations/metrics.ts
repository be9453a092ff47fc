import { setTarget } from "../../metrics/index.js";
import { builder } from "../builder.js";
import { requireApiKey } from "../context.js";
import { metricsError } from "../services/metrics.js";
import { TargetPeriodEnum } from "../types/metrics.js";

builder.mutationFields((t) => ({
  setMetricTarget: t.boolean({
    description: "Sets the team's target for an event per period (e.g. demo.booked 20 a week); target null removes it.",
    extensions: { access: "apiKey" },
    args: {
      event: t.arg.string({ required: true, description: "event name, e.g. demo.booked, trial.started, lead.mql" }),
      period: t.arg({ type: TargetPeriodEnum, required: true }),
      target: t.arg.int({ description: "≥ 1; null removes the target" }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireApiKey(ctx);
      await metricsError(() => setTarget(ctx.db.sql, auth.workspaceId, args.event, args.period, args.target ?? null));
      return true;
    },
  }),
}));
