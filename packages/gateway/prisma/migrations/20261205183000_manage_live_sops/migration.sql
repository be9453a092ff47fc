-- Managing live SOPs: journey and step pauses, do-not-disturb per customer and channel, the operators' audit log.
-- CreateTable
CREATE TABLE "journey_pauses" (
    "workspace_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "step_id" TEXT NOT NULL DEFAULT '',
    "paused_by" TEXT NOT NULL,
    "paused_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "journey_pauses_pkey" PRIMARY KEY ("workspace_id","journey_key","step_id")
);

-- CreateTable
CREATE TABLE "do_not_disturb" (
    "workspace_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "do_not_disturb_pkey" PRIMARY KEY ("customer_id","channel")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "actor_kind" TEXT NOT NULL,
    "actor_id" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "do_not_disturb_workspace_id_idx" ON "do_not_disturb"("workspace_id");

-- CreateIndex
CREATE INDEX "audit_log_workspace_id_id_idx" ON "audit_log"("workspace_id", "id");

-- CreateIndex
CREATE INDEX "audit_log_workspace_id_action_id_idx" ON "audit_log"("workspace_id", "action", "id");

-- AddForeignKey
ALTER TABLE "journey_pauses" ADD CONSTRAINT "journey_pauses_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "do_not_disturb" ADD CONSTRAINT "do_not_disturb_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "do_not_disturb" ADD CONSTRAINT "do_not_disturb_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Held deliveries of a paused journey or step, read when it resumes (not declared in
-- schema.prisma: Prisma cannot express partial indexes).
CREATE INDEX "deliveries_held_idx" ON "deliveries"("workspace_id", "journey_key") WHERE "status" = 'held';
