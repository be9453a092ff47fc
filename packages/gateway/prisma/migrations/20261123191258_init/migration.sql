-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "workspaces" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "name" TEXT NOT NULL,
    "api_key_hash" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "team" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customers" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT,
    "timezone" TEXT,
    "birthday" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "staff_id" TEXT,
    "wecom_external_user_id" TEXT,
    "oa_open_id" TEXT,
    "union_id" TEXT,
    "last_event_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journeys" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journeys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrollments" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "journey_version" INTEGER NOT NULL,
    "staff_id" TEXT,
    "owner_key" TEXT NOT NULL DEFAULT '',
    "stage" TEXT NOT NULL,
    "state" JSONB NOT NULL DEFAULT '{}',
    "next_wake_at" TIMESTAMPTZ(3),
    "lease_until" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "enrollments_pkey" PRIMARY KEY ("id")
);

-- CreateTable (edited by hand: key COLLATE "C" - byte order makes the primary key cheaper to maintain
-- and lets a key prefix journey:customer: be scanned as a range. Prisma does not express collations)
CREATE TABLE "deliveries" (
    "key" TEXT COLLATE "C" NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "enrollment_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "channel" TEXT NOT NULL,
    "content" TEXT,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'due',
    "reason" TEXT,
    "provider_error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "delivery_key" TEXT,
    "kind" TEXT NOT NULL,
    "channel" TEXT,
    "content" TEXT,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "snoozed_until" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seq" BIGSERIAL NOT NULL,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_tags" (
    "customer_id" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT,

    CONSTRAINT "customer_tags_pkey" PRIMARY KEY ("customer_id","tag")
);

-- CreateTable
CREATE TABLE "contents" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "type" TEXT NOT NULL,
    "topic" TEXT,
    "awareness" TEXT,
    "cta" TEXT,
    "channel" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "expires_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "segment_rules" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "match" JSONB NOT NULL,
    "journey_key" TEXT NOT NULL,
    "team" TEXT,
    "staff_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "rr_cursor" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "segment_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignment_history" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "from_staff_id" TEXT,
    "to_staff_id" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT,

    CONSTRAINT "assignment_history_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "workspaces_api_key_hash_key" ON "workspaces"("api_key_hash");

-- CreateIndex
CREATE UNIQUE INDEX "staff_workspace_id_external_id_key" ON "staff"("workspace_id", "external_id");

-- CreateIndex
CREATE INDEX "customers_staff_id_idx" ON "customers"("staff_id");

-- CreateIndex
CREATE INDEX "customers_workspace_id_last_event_at_idx" ON "customers"("workspace_id", "last_event_at");

-- CreateIndex
CREATE UNIQUE INDEX "customers_workspace_id_external_id_key" ON "customers"("workspace_id", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "customers_workspace_id_wecom_external_user_id_key" ON "customers"("workspace_id", "wecom_external_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "customers_workspace_id_oa_open_id_key" ON "customers"("workspace_id", "oa_open_id");

-- CreateIndex
CREATE UNIQUE INDEX "customers_workspace_id_union_id_key" ON "customers"("workspace_id", "union_id");

-- CreateIndex
CREATE UNIQUE INDEX "journeys_workspace_id_key_version_key" ON "journeys"("workspace_id", "key", "version");

-- CreateIndex (edited by hand: partial, so scheduler claims skip ended and sleeping rows.
-- Not declared in schema.prisma: Prisma cannot express it and its schema engine ignores partial indexes.
-- No semicolons in comments: adapter-pg splits scripts on them when the Prisma CLI applies this file)
CREATE INDEX "enrollments_wake_idx" ON "enrollments"("next_wake_at") WHERE "next_wake_at" IS NOT NULL AND "ended_at" IS NULL;

-- CreateIndex
CREATE INDEX "enrollments_workspace_id_journey_key_stage_idx" ON "enrollments"("workspace_id", "journey_key", "stage");

-- CreateIndex
CREATE UNIQUE INDEX "enrollments_workspace_id_customer_id_journey_key_owner_key_key" ON "enrollments"("workspace_id", "customer_id", "journey_key", "owner_key");

-- CreateIndex
CREATE INDEX "deliveries_customer_id_due_at_idx" ON "deliveries"("customer_id", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_delivery_key_key" ON "tasks"("delivery_key");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_seq_key" ON "tasks"("seq");

-- CreateIndex
CREATE INDEX "tasks_staff_id_status_due_at_idx" ON "tasks"("staff_id", "status", "due_at");

-- CreateIndex
CREATE INDEX "tasks_workspace_id_seq_idx" ON "tasks"("workspace_id", "seq");

-- CreateIndex
CREATE INDEX "tasks_customer_id_idx" ON "tasks"("customer_id");

-- CreateIndex
CREATE INDEX "events_customer_id_at_idx" ON "events"("customer_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "events_workspace_id_event_id_key" ON "events"("workspace_id", "event_id");

-- CreateIndex
CREATE INDEX "customer_tags_tag_idx" ON "customer_tags"("tag");

-- CreateIndex
CREATE UNIQUE INDEX "contents_workspace_id_ref_key" ON "contents"("workspace_id", "ref");

-- CreateIndex
CREATE INDEX "segment_rules_workspace_id_priority_idx" ON "segment_rules"("workspace_id", "priority");

-- CreateIndex
CREATE INDEX "assignment_history_customer_id_at_idx" ON "assignment_history"("customer_id", "at");

-- AddForeignKey
ALTER TABLE "staff" ADD CONSTRAINT "staff_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "journeys" ADD CONSTRAINT "journeys_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_enrollment_id_fkey" FOREIGN KEY ("enrollment_id") REFERENCES "enrollments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_delivery_key_fkey" FOREIGN KEY ("delivery_key") REFERENCES "deliveries"("key") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_tags" ADD CONSTRAINT "customer_tags_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contents" ADD CONSTRAINT "contents_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_rules" ADD CONSTRAINT "segment_rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_rules" ADD CONSTRAINT "segment_rules_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_history" ADD CONSTRAINT "assignment_history_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_history" ADD CONSTRAINT "assignment_history_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_history" ADD CONSTRAINT "assignment_history_from_staff_id_fkey" FOREIGN KEY ("from_staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_history" ADD CONSTRAINT "assignment_history_to_staff_id_fkey" FOREIGN KEY ("to_staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

