import { ApplicationFailure } from '@temporalio/activity';
import { Resend } from 'resend';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers one email. `outbox` means kept for /dev/outbox because no API key is configured. */
export interface Mailer {
  readonly kind: 'resend' | 'outbox';
  deliver(email: OutgoingEmail, idempotencyKey: string): Promise<{ providerId: string | null }>;
}

export const outboxMailer: Mailer = {
  kind: 'outbox',
  deliver: async () => ({ providerId: null }),
};

/**
 * Sends through the resend SDK. Resend answers a repeated Idempotency-Key with the first result,
 * so a retry after a lost response does not send the email twice.
 */
export function resendMailer(options: { apiKey: string; baseUrl?: string }): Mailer {
  const resend = new Resend(
    options.apiKey,
    options.baseUrl ? { baseUrl: options.baseUrl } : undefined,
  );
  return {
    kind: 'resend',
    async deliver(email, idempotencyKey) {
      const { data, error } = await resend.emails.send(email, { idempotencyKey });
      if (error) {
        const status = (error as { statusCode?: number | null }).statusCode ?? 0;
        const message = `Resend refused the email (${error.name}, ${status}): ${error.message}`;
        if (isTransient(status, error.name)) throw new Error(message);
        throw ApplicationFailure.nonRetryable(message, 'EmailRefused');
      }
      return { providerId: data?.id ?? null };
    },
  };
}

/**
 * 429, 5xx and network failures (no status) pass: Temporal retries them with backoff. So does
 * a 409 `concurrent_idempotent_requests`, Resend's answer while the first attempt with the same
 * key is still in progress. Anything else (422 validation, 409 `invalid_idempotent_request`…)
 * will not pass by retrying.
 */
function isTransient(status: number, name: string): boolean {
  return (
    status === 0 ||
    status === 429 ||
    status >= 500 ||
    (status === 409 && name === 'concurrent_idempotent_requests')
  );
}

export function mailerFromConfig(config: { RESEND_API_KEY?: string; RESEND_BASE_URL?: string }) {
  return config.RESEND_API_KEY
    ? resendMailer({ apiKey: config.RESEND_API_KEY, baseUrl: config.RESEND_BASE_URL })
    : outboxMailer;
}
