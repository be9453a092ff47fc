-- One index instead of two, so every enrollment write (a scheduler tick, an event) updates one index
-- fewer: the unique key among active enrollments and the way to a customer's enrollments, ended
-- ones included (customer_id leads). The last column is '' while the enrollment runs and its own id
-- once it ended, so two running enrollments of one customer, journey and owner collide and ended
-- ones never do: the guarantee of the partial unique index it replaces. Written by hand and not
-- declared in schema.prisma: Prisma cannot express expression indexes.
DROP INDEX "enrollments_active_owner_key";
DROP INDEX "enrollments_customer_id_idx";
CREATE UNIQUE INDEX "enrollments_owner_key" ON "enrollments"("customer_id", "workspace_id", "journey_key", "owner_key", (CASE WHEN "ended_at" IS NULL THEN '' ELSE "id" END));
