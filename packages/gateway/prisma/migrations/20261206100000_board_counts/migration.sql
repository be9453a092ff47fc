-- Issue #16 point 6: the board's SOP task and opportunity counts without reading every open task
-- or today's opportunities. Counts per staff member, kind and local day of the workspace, kept like
-- stage_counts: triggers append deltas in the writing transaction (no hot counter row to lock, no
-- deadlock between batches), the board folds them into board_counts under a try advisory lock.
--
-- Days are local to the zone in board_count_zones. A workspace without a row there is not counted
-- (the triggers skip it): the board's first read, or a read that finds the workspace's zone changed,
-- rebuilds its counts (one GROUP BY) and stores the zone.
CREATE TABLE "board_count_zones" (
    "workspace_id" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    CONSTRAINT "board_count_zones_pkey" PRIMARY KEY ("workspace_id")
);

-- source 'task': open or snoozed chat / call SOP tasks; `day` is the local day the task is due (a
-- snoozed one: the day it wakes up), `shown_from` the later of that and the day of due_at (the board
-- counts a task only once its due_at's day has come, even when snoozed to an earlier time).
-- source 'opportunity': unanswered opportunities by the local day of their latest signal
-- (shown_from = day). staff_id '' = none (an opportunity whose staff member was deleted).
CREATE TABLE "board_counts" (
    "workspace_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "staff_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "shown_from" DATE NOT NULL,
    "n" BIGINT NOT NULL,
    CONSTRAINT "board_counts_pkey" PRIMARY KEY ("workspace_id", "source", "day", "staff_id", "kind", "shown_from")
);

CREATE TABLE "board_count_deltas" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "staff_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "shown_from" DATE NOT NULL,
    "delta" INTEGER NOT NULL,
    CONSTRAINT "board_count_deltas_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "board_count_deltas_workspace_id_idx" ON "board_count_deltas"("workspace_id");

-- Inserted and deleted tasks: one statement-level trigger each, one grouped delta row per key and
-- statement (the scheduler inserts tasks in batches).
CREATE FUNCTION "sopline_board_count_task_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "board_count_deltas" ("workspace_id", "source", "day", "staff_id", "kind", "shown_from", "delta")
    SELECT t."workspace_id", 'task', d."day", t."staff_id", t."kind", GREATEST(d."day", (t."due_at" AT TIME ZONE z."timezone")::date), count(*)
    FROM "new_rows" t JOIN "board_count_zones" z ON z."workspace_id" = t."workspace_id"
    CROSS JOIN LATERAL (SELECT ((CASE WHEN t."status" = 'snoozed' THEN COALESCE(t."snoozed_until", t."due_at") ELSE t."due_at" END) AT TIME ZONE z."timezone")::date AS "day") d
    WHERE t."status" IN ('open', 'snoozed') AND t."kind" IN ('chat', 'call')
    GROUP BY 1, 2, 3, 4, 5, 6;
  ELSE
    INSERT INTO "board_count_deltas" ("workspace_id", "source", "day", "staff_id", "kind", "shown_from", "delta")
    SELECT t."workspace_id", 'task', d."day", t."staff_id", t."kind", GREATEST(d."day", (t."due_at" AT TIME ZONE z."timezone")::date), -count(*)
    FROM "old_rows" t JOIN "board_count_zones" z ON z."workspace_id" = t."workspace_id"
    CROSS JOIN LATERAL (SELECT ((CASE WHEN t."status" = 'snoozed' THEN COALESCE(t."snoozed_until", t."due_at") ELSE t."due_at" END) AT TIME ZONE z."timezone")::date AS "day") d
    WHERE t."status" IN ('open', 'snoozed') AND t."kind" IN ('chat', 'call')
    GROUP BY 1, 2, 3, 4, 5, 6;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "tasks_board_count_insert" AFTER INSERT ON "tasks"
  REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sopline_board_count_task_rows"();
CREATE TRIGGER "tasks_board_count_delete" AFTER DELETE ON "tasks"
  REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sopline_board_count_task_rows"();

-- Updated tasks: row by row, only when a counted column changes. Not by statement: every inserted
-- task is updated once more at commit (its seq, one statement per task), and a statement-level
-- trigger would run for each of those; the column list and WHEN clause keep them off the function.
-- -1 for the old key, +1 for the new one, nothing when they are equal (snoozed_until set on an open task).
CREATE FUNCTION "sopline_board_count_task_update"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tz text;
  old_day date;
  new_day date;
  old_from date;
  new_from date;
  old_in boolean := OLD."status" IN ('open', 'snoozed') AND OLD."kind" IN ('chat', 'call');
  new_in boolean := NEW."status" IN ('open', 'snoozed') AND NEW."kind" IN ('chat', 'call');
BEGIN
  IF old_in THEN
    SELECT "timezone" INTO tz FROM "board_count_zones" WHERE "workspace_id" = OLD."workspace_id";
    IF FOUND THEN
      old_day := ((CASE WHEN OLD."status" = 'snoozed' THEN COALESCE(OLD."snoozed_until", OLD."due_at") ELSE OLD."due_at" END) AT TIME ZONE tz)::date;
      old_from := GREATEST(old_day, (OLD."due_at" AT TIME ZONE tz)::date);
    ELSE
      old_in := false;
    END IF;
  END IF;
  IF new_in THEN
    IF NEW."workspace_id" IS DISTINCT FROM OLD."workspace_id" OR tz IS NULL THEN
      SELECT "timezone" INTO tz FROM "board_count_zones" WHERE "workspace_id" = NEW."workspace_id";
    END IF;
    IF tz IS NOT NULL THEN
      new_day := ((CASE WHEN NEW."status" = 'snoozed' THEN COALESCE(NEW."snoozed_until", NEW."due_at") ELSE NEW."due_at" END) AT TIME ZONE tz)::date;
      new_from := GREATEST(new_day, (NEW."due_at" AT TIME ZONE tz)::date);
    ELSE
      new_in := false;
    END IF;
  END IF;
  IF old_in AND new_in AND OLD."workspace_id" = NEW."workspace_id" AND OLD."staff_id" = NEW."staff_id" AND OLD."kind" = NEW."kind"
     AND old_day = new_day AND old_from = new_from THEN
    RETURN NULL;
  END IF;
  IF old_in THEN
    INSERT INTO "board_count_deltas" ("workspace_id", "source", "day", "staff_id", "kind", "shown_from", "delta")
    VALUES (OLD."workspace_id", 'task', old_day, OLD."staff_id", OLD."kind", old_from, -1);
  END IF;
  IF new_in THEN
    INSERT INTO "board_count_deltas" ("workspace_id", "source", "day", "staff_id", "kind", "shown_from", "delta")
    VALUES (NEW."workspace_id", 'task', new_day, NEW."staff_id", NEW."kind", new_from, 1);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "tasks_board_count_update" AFTER UPDATE OF "workspace_id", "staff_id", "kind", "status", "due_at", "snoozed_until" ON "tasks"
  FOR EACH ROW WHEN (
    (OLD."status" IN ('open', 'snoozed') OR NEW."status" IN ('open', 'snoozed'))
    AND (OLD."workspace_id", OLD."staff_id", OLD."kind", OLD."status", OLD."due_at", OLD."snoozed_until")
      IS DISTINCT FROM (NEW."workspace_id", NEW."staff_id", NEW."kind", NEW."status", NEW."due_at", NEW."snoozed_until"))
  EXECUTE FUNCTION "sopline_board_count_task_update"();

-- Opportunities: by statement for inserts, updates and deletes. The ingest upserts a batch of
-- signals in one statement, and most of them are a later signal on the same local day: a row-level
-- trigger would run a function per signal (+40 % on that statement); here the statement's old rows
-- count -1 and its new rows +1 per key, and keys that cancel out append nothing.
CREATE FUNCTION "sopline_board_count_opportunity_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "board_count_deltas" ("workspace_id", "source", "day", "staff_id", "kind", "shown_from", "delta")
    SELECT o."workspace_id", 'opportunity', d."day", COALESCE(o."staff_id", ''), o."kind", d."day", count(*)
    FROM "new_rows" o JOIN "board_count_zones" z ON z."workspace_id" = o."workspace_id"
    CROSS JOIN LATERAL (SELECT (o."last_signal_at" AT TIME ZONE z."timezone")::date AS "day") d
    WHERE o."answered_at" IS NULL
    GROUP BY 1, 2, 3, 4, 5, 6;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "board_count_deltas" ("workspace_id", "source", "day", "staff_id", "kind", "shown_from", "delta")
    SELECT o."workspace_id", 'opportunity', d."day", COALESCE(o."staff_id", ''), o."kind", d."day", -count(*)
    FROM "old_rows" o JOIN "board_count_zones" z ON z."workspace_id" = o."workspace_id"
    CROSS JOIN LATERAL (SELECT (o."last_signal_at" AT TIME ZONE z."timezone")::date AS "day") d
    WHERE o."answered_at" IS NULL
    GROUP BY 1, 2, 3, 4, 5, 6;
  ELSE
    INSERT INTO "board_count_deltas" ("workspace_id", "source", "day", "staff_id", "kind", "shown_from", "delta")
    SELECT c."workspace_id", 'opportunity', (c."last_signal_at" AT TIME ZONE z."timezone")::date, c."staff_id", c."kind",
      (c."last_signal_at" AT TIME ZONE z."timezone")::date, sum(c."delta")
    FROM (
      SELECT "workspace_id", COALESCE("staff_id", '') AS "staff_id", "kind", "last_signal_at", -1 AS "delta" FROM "old_rows" WHERE "answered_at" IS NULL
      UNION ALL
      SELECT "workspace_id", COALESCE("staff_id", ''), "kind", "last_signal_at", 1 FROM "new_rows" WHERE "answered_at" IS NULL
    ) c JOIN "board_count_zones" z ON z."workspace_id" = c."workspace_id"
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(c."delta") <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "opportunities_board_count_insert" AFTER INSERT ON "opportunities"
  REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sopline_board_count_opportunity_rows"();
CREATE TRIGGER "opportunities_board_count_update" AFTER UPDATE ON "opportunities"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sopline_board_count_opportunity_rows"();
CREATE TRIGGER "opportunities_board_count_delete" AFTER DELETE ON "opportunities"
  REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sopline_board_count_opportunity_rows"();

-- The heads of the board's lists straight from the index (no table row per entry): every column a
-- list shows is included. An index scan applies the "signal today" filter after fetching each
-- table row (a hundred per list at a million customers); an index-only scan applies it in the index.
DROP INDEX "opportunities_list_idx";
CREATE INDEX "opportunities_list_idx" ON "opportunities"("staff_id", "kind", "intent" DESC, "first_signal_at", "id")
  INCLUDE ("last_signal_at", "customer_id", "customer_name", "signal", "content", "signals") WHERE "answered_at" IS NULL;
