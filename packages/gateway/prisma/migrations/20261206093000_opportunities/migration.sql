-- Issue #16: the board without a GROUP BY over all enrollments, and intent opportunities.

-- A staff member's team lead: overdue opportunities escalate to them.
ALTER TABLE "staff" ADD COLUMN "lead_id" TEXT;
ALTER TABLE "staff" ADD CONSTRAINT "staff_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "staff_lead_id_idx" ON "staff"("lead_id");

-- Active enrollments per (journey, stage, enrollment owner, customer's staff member). Triggers on
-- enrollments and customers append +1 / -1 rows to stage_count_deltas in the transaction that
-- changes a stage, ends, hands over or deletes; the board folds them into stage_counts (one
-- statement under a per-workspace advisory lock). Appending instead of updating a counter row means
-- two transactions moving customers between the same stages in opposite orders never deadlock.
-- '' stands for "no staff member" in both staff columns.
CREATE TABLE "stage_counts" (
    "workspace_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "owner_key" TEXT NOT NULL,
    "customer_staff" TEXT NOT NULL,
    "n" BIGINT NOT NULL,
    CONSTRAINT "stage_counts_pkey" PRIMARY KEY ("workspace_id", "journey_key", "stage", "owner_key", "customer_staff")
);

CREATE TABLE "stage_count_deltas" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "owner_key" TEXT NOT NULL,
    "customer_staff" TEXT NOT NULL,
    "delta" INTEGER NOT NULL,
    CONSTRAINT "stage_count_deltas_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "stage_count_deltas_workspace_id_idx" ON "stage_count_deltas"("workspace_id");

CREATE FUNCTION "sopline_count_enrollment"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cs text;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."ended_at" IS NULL THEN
    SELECT COALESCE("staff_id", '') INTO cs FROM "customers" WHERE "id" = OLD."customer_id";
    -- Not found: the customer is being deleted; their BEFORE DELETE trigger already counted this enrollment out.
    IF FOUND THEN
      INSERT INTO "stage_count_deltas" ("workspace_id", "journey_key", "stage", "owner_key", "customer_staff", "delta")
      VALUES (OLD."workspace_id", OLD."journey_key", OLD."stage", COALESCE(OLD."staff_id", ''), cs, -1);
    END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW."ended_at" IS NULL THEN
    SELECT COALESCE("staff_id", '') INTO cs FROM "customers" WHERE "id" = NEW."customer_id";
    INSERT INTO "stage_count_deltas" ("workspace_id", "journey_key", "stage", "owner_key", "customer_staff", "delta")
    VALUES (NEW."workspace_id", NEW."journey_key", NEW."stage", COALESCE(NEW."staff_id", ''), COALESCE(cs, ''), 1);
  END IF;
  IF TG_WHEN = 'BEFORE' THEN RETURN NEW; END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "enrollments_count_insert_delete" AFTER INSERT OR DELETE ON "enrollments"
  FOR EACH ROW EXECUTE FUNCTION "sopline_count_enrollment"();
-- The scheduler rewrites stage with every state: the WHEN clause keeps the function off that hot path.
-- Updates of both tables count BEFORE the row changes, each reading the other table as it is at
-- that moment: when one statement changes both (a staff member deleted sets both staff columns to
-- NULL), AFTER triggers would all run at its end and count the first change against the second's
-- result. Inserts count AFTER: an INSERT … ON CONFLICT DO NOTHING that inserts nothing counts nothing.
CREATE TRIGGER "enrollments_count_update" BEFORE UPDATE OF "stage", "ended_at", "staff_id", "journey_key", "workspace_id", "customer_id" ON "enrollments"
  FOR EACH ROW WHEN (OLD."stage" IS DISTINCT FROM NEW."stage" OR OLD."ended_at" IS DISTINCT FROM NEW."ended_at"
    OR OLD."staff_id" IS DISTINCT FROM NEW."staff_id" OR OLD."journey_key" IS DISTINCT FROM NEW."journey_key"
    OR OLD."workspace_id" IS DISTINCT FROM NEW."workspace_id" OR OLD."customer_id" IS DISTINCT FROM NEW."customer_id")
  EXECUTE FUNCTION "sopline_count_enrollment"();

CREATE FUNCTION "sopline_count_customer"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO "stage_count_deltas" ("workspace_id", "journey_key", "stage", "owner_key", "customer_staff", "delta")
    SELECT "workspace_id", "journey_key", "stage", COALESCE("staff_id", ''), COALESCE(OLD."staff_id", ''), -1
    FROM "enrollments" WHERE "customer_id" = OLD."id" AND "ended_at" IS NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO "stage_count_deltas" ("workspace_id", "journey_key", "stage", "owner_key", "customer_staff", "delta")
    SELECT "workspace_id", "journey_key", "stage", COALESCE("staff_id", ''), COALESCE(NEW."staff_id", ''), 1
    FROM "enrollments" WHERE "customer_id" = NEW."id" AND "ended_at" IS NULL;
    -- Open opportunities follow the customer to their new staff member.
    UPDATE "opportunities" SET "staff_id" = NEW."staff_id" WHERE "customer_id" = NEW."id" AND "answered_at" IS NULL;
    RETURN NEW;
  END IF;
  RETURN OLD;
END
$$;

CREATE TRIGGER "customers_count_staff" BEFORE UPDATE OF "staff_id" ON "customers"
  FOR EACH ROW WHEN (OLD."staff_id" IS DISTINCT FROM NEW."staff_id") EXECUTE FUNCTION "sopline_count_customer"();
CREATE TRIGGER "customers_count_delete" BEFORE DELETE ON "customers"
  FOR EACH ROW EXECUTE FUNCTION "sopline_count_customer"();

-- The counts of the enrollments that exist now.
INSERT INTO "stage_counts" ("workspace_id", "journey_key", "stage", "owner_key", "customer_staff", "n")
SELECT e."workspace_id", e."journey_key", e."stage", COALESCE(e."staff_id", ''), COALESCE(c."staff_id", ''), count(*)
FROM "enrollments" e JOIN "customers" c ON c."id" = e."customer_id"
WHERE e."ended_at" IS NULL
GROUP BY 1, 2, 3, 4, 5;

-- 今日聊天机会 / 今日通话机会: one open (unanswered) opportunity per customer and kind, kept on
-- ingest: a new signal raises its intent and last_signal_at; an answer (a chat / call task done, a
-- chat message sent) sets answered_at.
CREATE TABLE "opportunities" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "customer_name" TEXT NOT NULL,
    "staff_id" TEXT,
    "kind" TEXT NOT NULL,
    "intent" INTEGER NOT NULL,
    "signal" TEXT NOT NULL,
    "content" TEXT,
    "signals" INTEGER NOT NULL DEFAULT 1,
    "first_signal_at" TIMESTAMPTZ(3) NOT NULL,
    "last_signal_at" TIMESTAMPTZ(3) NOT NULL,
    "answered_at" TIMESTAMPTZ(3),
    "escalated_at" TIMESTAMPTZ(3),
    CONSTRAINT "opportunities_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE UNIQUE INDEX "opportunities_open_key" ON "opportunities"("customer_id", "kind") WHERE "answered_at" IS NULL;
CREATE INDEX "opportunities_open_idx" ON "opportunities"("workspace_id", "last_signal_at") INCLUDE ("staff_id", "kind") WHERE "answered_at" IS NULL;
-- A staff member's list, best first: the board reads its head per staff member and kind.
CREATE INDEX "opportunities_list_idx" ON "opportunities"("staff_id", "kind", "intent" DESC, "first_signal_at", "id") INCLUDE ("last_signal_at") WHERE "answered_at" IS NULL;

-- The board's SOP task counts per staff member read this index only (no table rows).
CREATE INDEX "tasks_board_idx" ON "tasks"("workspace_id", "staff_id", "kind", "due_at") INCLUDE ("status", "snoozed_until")
  WHERE "status" IN ('open', 'snoozed') AND "kind" IN ('chat', 'call');
CREATE INDEX "opportunities_escalate_idx" ON "opportunities"("first_signal_at") WHERE "answered_at" IS NULL AND "escalated_at" IS NULL;
