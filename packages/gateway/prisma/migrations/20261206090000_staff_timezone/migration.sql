-- A staff member's own zone for their 群发 send slots (NULL: the workspace's slot zone).
ALTER TABLE "staff" ADD COLUMN "timezone" TEXT;
