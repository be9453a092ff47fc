-- The past steps of a journey (the customer page) are read by enrollment, newest first.
CREATE INDEX "deliveries_enrollment_id_due_at_idx" ON "deliveries"("enrollment_id", "due_at");
