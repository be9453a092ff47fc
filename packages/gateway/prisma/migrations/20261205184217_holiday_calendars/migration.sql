-- Workspace holiday calendars (holiday steps, dated campaigns' workday windows): the base calendar
-- is computed at run time; this table keeps each workspace's own entries and a revision.
-- CreateTable
CREATE TABLE "holiday_calendars" (
    "workspace_id" TEXT NOT NULL,
    "base" TEXT NOT NULL DEFAULT 'china',
    "holidays" JSONB NOT NULL DEFAULT '{}',
    "workdays" JSONB NOT NULL DEFAULT '[]',
    "offdays" JSONB NOT NULL DEFAULT '[]',
    "revision" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "holiday_calendars_pkey" PRIMARY KEY ("workspace_id")
);

-- AddForeignKey
ALTER TABLE "holiday_calendars" ADD CONSTRAINT "holiday_calendars_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
