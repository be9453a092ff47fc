-- 群发助手 send slots (h-paths): one task per staff member, content and slot.
ALTER TABLE "mass_sends" ADD COLUMN "slot_at" TIMESTAMPTZ(3);
CREATE INDEX "mass_sends_staff_id_slot_at_idx" ON "mass_sends"("staff_id", "slot_at");
-- The mass-send worker's claim (not declared in schema.prisma: Prisma cannot express it): only the
-- 群发 steps waiting for their slot, so open chat tasks on the same channel are never scanned.
CREATE INDEX "deliveries_mass_send_idx" ON "deliveries"((COALESCE("next_attempt_at", "due_at"))) WHERE "mode" = 'mass_send' AND "status" = 'task';
