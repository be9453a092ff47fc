// Staff tokens for staff members' apps (mini-programs): issue (with an API key), refresh (with
// the refresh token alone), revoke one (a session) or all of a member's.
import {
  DEFAULT_SESSION_TTL_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  type IssuedStaffToken,
  MAX_SESSION_TTL_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
  MIN_SESSION_TTL_SECONDS,
  MIN_TOKEN_TTL_SECONDS,
} from "../../auth/index.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { StaffType } from "../types/staff.js";

const StaffTokenPayload = builder.objectRef<IssuedStaffToken>("StaffToken").implement({
  description: "A staff member's access token and the refresh token that renews it without the user doing anything.",
  fields: (t) => ({
    id: t.exposeID("sessionId", { description: "the session: pass it to revokeStaffToken (the same across refreshes)" }),
    token: t.exposeString("token", { description: 'send as "Authorization: Bearer <token>" (or connectionParams.authorization over graphql-ws)' }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    expiresIn: t.exposeInt("expiresIn", { description: "seconds until expiresAt, for clients whose clock is off: refresh a little before" }),
    refreshToken: t.exposeString("refreshToken", {
      description: "pass to refreshStaffToken for a new pair; it works once (a reused one revokes the session), keep it out of logs",
    }),
    refreshExpiresAt: t.expose("refreshExpiresAt", { type: "DateTime", description: "the session's end: after it, issue a new token" }),
    staff: t.field({
      type: StaffType,
      resolve: async (p, _args, ctx) => {
        const staff = await ctx.db.prisma.staff.findUnique({ where: { id: p.staffId } });
        if (!staff) throw notFound("staff member", p.staffId);
        return staff;
      },
    }),
  }),
});

function seconds(name: string, value: number | null | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw badInput(`${name}: expected ${min}…${max} seconds, got ${v}`);
  return v;
}

builder.mutationFields((t) => ({
  issueStaffToken: t.field({
    type: StaffTokenPayload,
    description:
      `Signs in a staff member's app (mini-program): it sees only that member's customers and tasks. ` +
      `ttlSeconds: the access token's life (default ${DEFAULT_TOKEN_TTL_SECONDS}, ${MIN_TOKEN_TTL_SECONDS}…${MAX_TOKEN_TTL_SECONDS}); ` +
      `sessionTtlSeconds: how long refreshStaffToken renews it (default ${DEFAULT_SESSION_TTL_SECONDS}, ${MIN_SESSION_TTL_SECONDS}…${MAX_SESSION_TTL_SECONDS}).`,
    extensions: { access: "apiKey" },
    args: {
      staffId: t.arg.id({ required: true }),
      ttlSeconds: t.arg.int({ defaultValue: DEFAULT_TOKEN_TTL_SECONDS }),
      sessionTtlSeconds: t.arg.int({ defaultValue: DEFAULT_SESSION_TTL_SECONDS }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const ttlSeconds = seconds("ttlSeconds", args.ttlSeconds, DEFAULT_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS);
      const sessionTtlSeconds = seconds("sessionTtlSeconds", args.sessionTtlSeconds, DEFAULT_SESSION_TTL_SECONDS, MIN_SESSION_TTL_SECONDS, MAX_SESSION_TTL_SECONDS);
      return ctx.authenticator.issueStaffToken({ workspaceId: auth.workspaceId, staffId: String(args.staffId), ttlSeconds, sessionTtlSeconds });
    },
  }),
  refreshStaffToken: t.field({
    type: StaffTokenPayload,
    description:
      "A new access token and refresh token for a refresh token (no Authorization header needed). The old refresh token is used up; " +
      "presenting it again revokes the session. UNAUTHENTICATED when the session was revoked or has ended, or the member is inactive.",
    extensions: { access: "public", limits: { strings: { refreshToken: 200 } } },
    args: {
      refreshToken: t.arg.string({ required: true }),
      ttlSeconds: t.arg.int({ defaultValue: DEFAULT_TOKEN_TTL_SECONDS, description: "the new access token's life" }),
    },
    resolve: async (_root, args, ctx) => {
      const ttlSeconds = seconds("ttlSeconds", args.ttlSeconds, DEFAULT_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS);
      return ctx.authenticator.refreshStaffToken({ refreshToken: args.refreshToken, ttlSeconds });
    },
  }),
  revokeStaffToken: t.boolean({
    description:
      "Revokes one staff token (its session, by StaffToken.id): its access and refresh tokens stop working at once and its live subscriptions end. " +
      "A staff token may revoke its own sessions (sign out). False when it was already revoked or is unknown.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      return ctx.authenticator.revokeStaffToken({ workspaceId: auth.workspaceId, sessionId: String(args.id), onlyStaffId: auth.staffId });
    },
  }),
  revokeStaffTokens: t.int({
    description: "Revokes every staff token issued to a staff member so far (e.g. a lost phone); new ones can be issued. Returns the sessions ended.",
    extensions: { access: "apiKey" },
    args: { staffId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => ctx.authenticator.revokeStaffTokens({ workspaceId: requireAuth(ctx).workspaceId, staffId: String(args.staffId) }),
  }),
}));
