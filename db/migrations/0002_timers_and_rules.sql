ALTER TABLE "events" ALTER COLUMN "seq" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "n2_id" uuid;--> statement-breakpoint
ALTER TABLE "renewals" ADD COLUMN "attention" text;