-- A task's feed cursor (seq) is assigned when its transaction commits, in commit order, so a
-- client that resumes after the largest seq it saw cannot skip a task that committed later with
-- a smaller number (a sequence value taken at insert time could). Inserts leave seq NULL; a
-- deferred trigger numbers them at commit under a transaction-level advisory lock, which is held
-- until the commit is visible: every task numbered after it is committed after it.
ALTER TABLE "tasks" ALTER COLUMN "seq" DROP DEFAULT, ALTER COLUMN "seq" DROP NOT NULL;

CREATE FUNCTION "sopline_number_task"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7302114659);
  UPDATE "tasks" SET "seq" = nextval('tasks_seq_seq') WHERE "id" = NEW."id" AND "seq" IS NULL;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "tasks_number_at_commit" AFTER INSERT ON "tasks"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW."seq" IS NULL)
  EXECUTE FUNCTION "sopline_number_task"();
