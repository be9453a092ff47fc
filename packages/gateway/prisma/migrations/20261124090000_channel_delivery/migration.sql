-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "next_attempt_at" TIMESTAMPTZ(3),
ADD COLUMN     "provider_id" TEXT;

-- CreateTable
CREATE TABLE "mass_sends" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "msgid" TEXT,
    "status" TEXT NOT NULL DEFAULT 'creating',
    "task_id" TEXT,
    "customers" INTEGER NOT NULL,
    "error" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "next_poll_at" TIMESTAMPTZ(3),
    "next_remind_at" TIMESTAMPTZ(3),
    "reminded_at" TIMESTAMPTZ(3)[] DEFAULT ARRAY[]::TIMESTAMPTZ(3)[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "mass_sends_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mass_send_targets" (
    "mass_send_id" TEXT NOT NULL,
    "delivery_key" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "external_user_id" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'pending',

    CONSTRAINT "mass_send_targets_pkey" PRIMARY KEY ("mass_send_id","delivery_key")
);

-- CreateTable
CREATE TABLE "subscribe_quotas" (
    "workspace_id" TEXT NOT NULL,
    "app_id" TEXT NOT NULL,
    "openid" TEXT NOT NULL,
    "template_id" TEXT NOT NULL,
    "remaining" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscribe_quotas_pkey" PRIMARY KEY ("workspace_id","app_id","openid","template_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "mass_sends_task_id_key" ON "mass_sends"("task_id");

-- CreateIndex
CREATE INDEX "mass_sends_status_next_poll_at_idx" ON "mass_sends"("status", "next_poll_at");

-- CreateIndex
CREATE INDEX "mass_sends_workspace_id_msgid_idx" ON "mass_sends"("workspace_id", "msgid");

-- CreateIndex
CREATE UNIQUE INDEX "mass_send_targets_delivery_key_key" ON "mass_send_targets"("delivery_key");

-- CreateIndex
CREATE INDEX "mass_send_targets_customer_id_period_idx" ON "mass_send_targets"("customer_id", "period");

-- AddForeignKey
ALTER TABLE "mass_sends" ADD CONSTRAINT "mass_sends_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mass_sends" ADD CONSTRAINT "mass_sends_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mass_sends" ADD CONSTRAINT "mass_sends_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mass_send_targets" ADD CONSTRAINT "mass_send_targets_mass_send_id_fkey" FOREIGN KEY ("mass_send_id") REFERENCES "mass_sends"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mass_send_targets" ADD CONSTRAINT "mass_send_targets_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscribe_quotas" ADD CONSTRAINT "subscribe_quotas_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- CreateIndex (edited by hand: expression + partial, the delivery worker and the mass-send worker claim
-- per channel ordered by the next attempt time, and sent, failed or skipped rows never enter the index.
-- Not declared in schema.prisma: Prisma cannot express it. No semicolons in comments)
CREATE INDEX "deliveries_attempt_idx" ON "deliveries"("channel", (COALESCE("next_attempt_at", "due_at"))) WHERE "status" IN ('due', 'sending', 'task');
