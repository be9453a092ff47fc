-- Metrics rollups (src/metrics/): written only by the metrics rollup job, read by the metrics
-- queries, so metrics never scan raw deliveries and events. Days are calendar days in China time
-- (Asia/Shanghai), weeks start on Monday.

-- One row per touch that went out or failed (a slim copy of a sent / failed delivery), indexed by
-- customer and time: "the last touch before this event" is one index probe.
CREATE TABLE "metric_touches" (
    "delivery_key" TEXT COLLATE "C" NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "day" DATE NOT NULL,
    "journey_key" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "channel" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL DEFAULT '',
    "cohort_week" TEXT NOT NULL,
    -- 'sent' | 'mass' (群发 confirmed) | 'failed'
    "outcome" TEXT NOT NULL,
    CONSTRAINT "metric_touches_pkey" PRIMARY KEY ("delivery_key")
);
CREATE INDEX "metric_touches_customer_at_idx" ON "metric_touches"("customer_id", "at");
CREATE INDEX "metric_touches_day_idx" ON "metric_touches"("workspace_id", "day");

-- The daily rollup: one row per day and dimension combination. Touch measures (sent, mass,
-- failed, replied_*) count on the touch's day; event measures (opened, read, clicked, deleted,
-- converted) on the event's day, under the dimensions of the touch they are attributed to.
-- Several grains in one table (src/metrics/constants.ts GRAINS): 'd' every dimension, 'p' all but staff and cohort, 'j' journey +
-- stage + channel, 's' journey + staff, 'c' journey + entry-week cohort; '' in the dimensions a grain
-- does not keep. A query reads the smallest grain that has what it asks for.
CREATE TABLE "metric_daily" (
    "workspace_id" TEXT NOT NULL,
    "grain" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "journey_key" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "cohort_week" TEXT NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "mass_confirmed" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "opened" INTEGER NOT NULL DEFAULT 0,
    "read" INTEGER NOT NULL DEFAULT 0,
    "read_seconds" BIGINT NOT NULL DEFAULT 0,
    "clicked" INTEGER NOT NULL DEFAULT 0,
    "replied_24h" INTEGER NOT NULL DEFAULT 0,
    "replied_72h" INTEGER NOT NULL DEFAULT 0,
    "deleted" INTEGER NOT NULL DEFAULT 0,
    "converted" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "metric_daily_pkey" PRIMARY KEY ("workspace_id", "grain", "day", "journey_key", "stage", "step_id", "content", "channel", "staff_id", "cohort_week")
);
CREATE INDEX "metric_daily_staff_idx" ON "metric_daily"("workspace_id", "grain", "staff_id", "day");
CREATE INDEX "metric_daily_journey_idx" ON "metric_daily"("workspace_id", "grain", "journey_key", "day");

-- Events per day, name and staff member (the customer's): team targets count these.
CREATE TABLE "metric_event_daily" (
    "workspace_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "name" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "metric_event_daily_pkey" PRIMARY KEY ("workspace_id", "name", "day", "staff_id")
);

-- Per customer and journey: touches so far, touches before the conversion and when it converted.
CREATE TABLE "metric_customer_journeys" (
    "workspace_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "cohort_week" TEXT NOT NULL,
    "touches" INTEGER NOT NULL,
    "converted_at" TIMESTAMPTZ(3),
    CONSTRAINT "metric_customer_journeys_pkey" PRIMARY KEY ("customer_id", "journey_key")
);

-- The touches-per-customer histogram, kept by deltas from metric_customer_journeys: customers and
-- conversions per touch count (touches before the conversion for converted customers).
CREATE TABLE "metric_touch_histogram" (
    "workspace_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "cohort_week" TEXT NOT NULL,
    "touches" INTEGER NOT NULL,
    "customers" INTEGER NOT NULL DEFAULT 0,
    "converted" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "metric_touch_histogram_pkey" PRIMARY KEY ("workspace_id", "journey_key", "staff_id", "cohort_week", "touches")
);

-- Team targets: a count of an event per period (demo.booked 20 a week).
CREATE TABLE "metric_targets" (
    "workspace_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    -- 'day' | 'week' | 'month'
    "period" TEXT NOT NULL,
    "target" INTEGER NOT NULL,
    CONSTRAINT "metric_targets_pkey" PRIMARY KEY ("workspace_id", "event", "period")
);

-- How far the rollup job has read: deliveries by due_at, events by received_at.
CREATE TABLE "metric_watermarks" (
    "workspace_id" TEXT NOT NULL,
    "touches_until" TIMESTAMPTZ(3),
    "events_until" TIMESTAMPTZ(3),
    CONSTRAINT "metric_watermarks_pkey" PRIMARY KEY ("workspace_id")
);

-- BRIN indexes (a few pages each, almost free to keep on the insert hot paths: rows arrive in time
-- order) let the job read new deliveries and events, and one day's events, without a full scan.
CREATE INDEX "deliveries_due_at_brin" ON "deliveries" USING BRIN ("due_at");
CREATE INDEX "events_received_at_brin" ON "events" USING BRIN ("received_at");
CREATE INDEX "events_at_brin" ON "events" USING BRIN ("at");
