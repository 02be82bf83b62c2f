import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultTimers as d, type RenewalTimers } from '../workflows/timers.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const workingDays = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().default(`${projectRoot}.data/pglite`),
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('okey-renewals'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.string().url().optional(),
  RESEND_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_/, 'must start with whsec_')
    .optional(),
  MAIL_FROM: z.string().default('OKEY <okey@academie.example>'),
  OKEY_MAILBOX: z.string().email().default('okey@academie.example'),
  AUTH_DEV_LOGIN: bool.optional(),
  AUTH_DEV_SECRET: z.string().min(16).default('okey-development-only-secret'),
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).default(5),
  UPLOAD_MAX_FILE_MB: z.coerce.number().positive().default(10),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // Durable timers of a renewal. Working days are those of La Réunion (workflows/calendar.ts).
  ATTACHMENTS_REMINDER_WORKING_DAYS: workingDays(d.attachmentsReminderWorkingDays),
  ATTACHMENTS_CANCEL_DAYS: z.coerce.number().int().min(1).default(d.attachmentsCancelDays),
  APPROVAL_REMINDER_WORKING_DAYS: workingDays(d.approvalReminderWorkingDays),
  APPROVAL_N2_WORKING_DAYS: workingDays(d.approvalN2WorkingDays),
  APPROVAL_STALLED_WORKING_DAYS: workingDays(d.approvalStalledWorkingDays),
  AGENT_REMINDER_WORKING_DAYS: workingDays(d.agentReminderWorkingDays),
  APPOINTMENT_REMINDER_HOURS: z.coerce.number().positive().default(d.appointmentReminderHours),
  APPOINTMENT_MISSED_HOURS: z.coerce.number().positive().default(d.appointmentMissedHours),
  EXPIRY_INVITATION_DAYS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'days before expiry, comma-separated (e.g. 45,30,7)')
    .default('45,30,7')
    .transform((v) => [...new Set(v.split(',').map(Number))].sort((a, b) => b - a)),
  EXPIRY_INVITATION_CRON: z.string().default('0 6 * * *'),
});

export type Config = Omit<z.infer<typeof schema>, 'AUTH_DEV_LOGIN' | 'PUBLIC_URL'> & {
  AUTH_DEV_LOGIN: boolean;
  PUBLIC_URL: string;
};

/**
 * The one place that reads the environment. A wrong value stops the process at start with a
 * message naming the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const c = parsed.data;
  const devLogin = c.AUTH_DEV_LOGIN ?? c.NODE_ENV !== 'production';
  if (devLogin && c.NODE_ENV === 'production') {
    throw new Error('Invalid configuration: AUTH_DEV_LOGIN cannot be enabled in production');
  }
  return {
    ...c,
    AUTH_DEV_LOGIN: devLogin,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
  };
}

/** The durations a renewal workflow waits on, passed in its input: workflows cannot read config. */
export function renewalTimers(c: Config): RenewalTimers {
  return {
    attachmentsReminderWorkingDays: c.ATTACHMENTS_REMINDER_WORKING_DAYS,
    attachmentsCancelDays: c.ATTACHMENTS_CANCEL_DAYS,
    approvalReminderWorkingDays: c.APPROVAL_REMINDER_WORKING_DAYS,
    approvalN2WorkingDays: c.APPROVAL_N2_WORKING_DAYS,
    approvalStalledWorkingDays: c.APPROVAL_STALLED_WORKING_DAYS,
    agentReminderWorkingDays: c.AGENT_REMINDER_WORKING_DAYS,
    appointmentReminderHours: c.APPOINTMENT_REMINDER_HOURS,
    appointmentMissedHours: c.APPOINTMENT_MISSED_HOURS,
  };
}

/** Paths of the Temporal binaries: environment first, then what scripts/temporal-binaries wrote. */
export function temporalBinaries(env: NodeJS.ProcessEnv = process.env): {
  cli?: string;
  testServer?: string;
} {
  const file = `${projectRoot}.tools/temporal-paths.json`;
  const written = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return {
    cli: env.TEMPORAL_CLI_PATH ?? written.cli,
    testServer: env.TEMPORAL_TEST_SERVER_PATH ?? written.testServer,
  };
}
