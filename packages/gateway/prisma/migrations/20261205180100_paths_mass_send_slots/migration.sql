-- 群发助手 send slots (h-paths): one task per staff member, content and slot.
ALTER TABLE "mass_sends" ADD COLUMN "slot_at" TIMESTAMPTZ(3);
CREATE INDEX "mass_sends_staff_id_slot_at_idx" ON "mass_sends"("staff_id", "slot_at");
