-- Issue #16: ingest upserts an opportunity per signalling customer, and the workspace and staff keys
-- cost a probe and a row lock per row, taken on the same few rows by every ingest batch (11 ms of a
-- 48 ms upsert of 1,000 rows for the workspace key alone). The customer key stays: it is the one
-- whose cascade matters. A workspace's opportunities go with its customers (customers cascade from
-- workspaces). A deleted staff member's are set to no one here, as the key did.
ALTER TABLE "opportunities" DROP CONSTRAINT "opportunities_workspace_id_fkey";
ALTER TABLE "opportunities" DROP CONSTRAINT "opportunities_staff_id_fkey";

CREATE FUNCTION "sopline_unassign_opportunities"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "opportunities" SET "staff_id" = NULL WHERE "staff_id" = OLD."id";
  RETURN OLD;
END
$$;

CREATE TRIGGER "staff_unassign_opportunities" BEFORE DELETE ON "staff"
  FOR EACH ROW EXECUTE FUNCTION "sopline_unassign_opportunities"();
