-- An enrollment's deliveries are read as one range of the primary key (every key the core gives an
-- enrollment's steps starts with `journey:customer:`), so the scheduler no longer updates a second
-- index for every fired step.
DROP INDEX "deliveries_customer_id_due_at_idx";

-- A customer's enrollments, ended ones included (the active-enrollment unique index covers only
-- running ones): the way to a customer's deliveries now, and to their journeys.
CREATE INDEX "enrollments_customer_id_idx" ON "enrollments"("customer_id");
