ALTER TABLE "attachments" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "attached_by_id" uuid;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "attached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD CONSTRAINT "inbound_emails_attached_by_id_people_id_fk" FOREIGN KEY ("attached_by_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;