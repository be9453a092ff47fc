import { builder } from "../builder.js";
import { ChannelEnum } from "./enums.js";
import type { Channel } from "@sopline/core";

export const ContentType = builder.prismaObject("Content", {
  description: "An entry of the content library; journeys refer to it by `ref`.",
  fields: (t) => ({
    id: t.exposeID("id"),
    ref: t.exposeString("ref"),
    title: t.exposeString("title"),
    body: t.expose("body", { type: "JSON" }),
    type: t.exposeString("type", { description: "offer | qa | objection | article | greeting | case | …" }),
    topic: t.exposeString("topic", { nullable: true }),
    awareness: t.exposeString("awareness", { nullable: true }),
    cta: t.exposeString("cta", { nullable: true }),
    channel: t.field({ type: ChannelEnum, nullable: true, resolve: (c) => c.channel as Channel | null }),
    version: t.exposeInt("version"),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    expired: t.boolean({ description: "expiresAt has passed", resolve: (c, _args, ctx) => c.expiresAt !== null && c.expiresAt.getTime() <= ctx.now.getTime() }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});
