-- DropIndex
DROP INDEX "enrollments_workspace_id_customer_id_journey_key_owner_key_key";

-- CreateIndex (edited by hand: partial, unique among active enrollments only, so an ended
-- enrollment does not stop the same customer being enrolled again with the same staff member.
-- Not declared in schema.prisma: Prisma cannot express partial indexes)
CREATE UNIQUE INDEX "enrollments_active_owner_key" ON "enrollments"("workspace_id", "customer_id", "journey_key", "owner_key") WHERE "ended_at" IS NULL;
