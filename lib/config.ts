import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultTimers as d, type RenewalTimers } from '../workflows/timers.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const workingDays = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** Signatures the identity provider may use; `none` and shared-secret HMAC are never accepted. */
const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

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
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: z.string().url().optional(),
  OIDC_ALGORITHMS: z
    .string()
    .default('RS256,ES256')
    .transform((v) => v.split(',').map((a) => a.trim()))
    .pipe(z.array(z.enum(asymmetricAlgorithms, { message: 'asymmetric JWS algorithms only' }))),
  OIDC_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(60),
  OIDC_JWKS_COOLDOWN_S: z.coerce.number().min(0).default(30),
  OIDC_JWKS_CACHE_S: z.coerce.number().min(0).default(600),
  OIDC_UID_CLAIM: z.string().min(1).default('uid'),
  OIDC_TITLE_CLAIM: z.string().min(1).default('title'),
  OIDC_ESTABLISHMENT_CLAIM: z.string().min(1).default('establishment_uai'),
  OIDC_PERMANENT_DIRECTOR_CLAIM: z.string().min(1).default('permanent_director'),
  OIDC_DELEGATIONS_CLAIM: z.string().min(1).default('onde_delegations'),
  RATE_LIMIT_SIGNIN_PER_MIN: z.coerce.number().int().min(1).default(10),
  // Above the workflow's own rule (a new code after 5 wrong ones), which speaks first.
  RATE_LIMIT_CHARTER_PER_MIN: z.coerce.number().int().min(1).default(10),
  TRUST_PROXY: bool.default(false),
  JSON_BODY_MAX_KB: z.coerce.number().int().min(1).default(100),
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).default(5),
  UPLOAD_MAX_FILE_MB: z.coerce.number().positive().default(10),
  /** Days supporting documents are kept after their request ends (then only name, size, hash). */
  DOCUMENT_RETENTION_DAYS: z.coerce.number().positive().default(90),
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
  const oidc = {
    OIDC_ISSUER: c.OIDC_ISSUER,
    OIDC_AUDIENCE: c.OIDC_AUDIENCE,
    OIDC_JWKS_URL: c.OIDC_JWKS_URL,
  };
  const missing = Object.entries(oidc)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  // Half a configuration would silently refuse everyone; none at all is only for development.
  if (missing.length > 0 && (missing.length < 3 || c.NODE_ENV === 'production')) {
    throw new Error(`Invalid configuration: ${missing.join(', ')} required for OpenID Connect`);
  }
  return {
    ...c,
    AUTH_DEV_LOGIN: devLogin,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    // In development the inbound webhook works out of the box (POST /dev/inbound-email signs
    // with this); elsewhere it needs Resend's own secret.
    RESEND_WEBHOOK_SECRET:
      c.RESEND_WEBHOOK_SECRET ?? (c.NODE_ENV === 'development' ? devWebhookSecret : undefined),
  };
}

const devWebhookSecret = `whsec_${Buffer.from('okey-development-webhook-secret').toString('base64')}`;

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

/** For the entry points: a wrong configuration ends the process with its message, exit code 1. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    process.stderr.write(`okey: ${(err as Error).message}\n`);
    process.exit(1);
  }
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
