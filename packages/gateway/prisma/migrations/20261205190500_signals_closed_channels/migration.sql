-- Channels an enrollment can no longer reach its customer on (the customer deleted the staff member,
-- unfollowed the official account): steps on them are recorded skipped instead of sent. NULL: none,
-- so existing rows need no rewrite.

-- AlterTable
ALTER TABLE "enrollments" ADD COLUMN "closed_channels" TEXT[];
