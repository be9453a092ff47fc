-- The core's state is read and written whole: json keeps the text as sent (no conversion to and
-- from jsonb's binary form on every read and write, and a fifth smaller)
-- AlterTable
ALTER TABLE "enrollments" ALTER COLUMN "state" SET DATA TYPE JSON;
