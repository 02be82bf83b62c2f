/**
 * The portal talks to the JSON API in-process, with the signed-in person's token, so every rule
 * and every French message stays in one place: the API.
 */
export interface ApiError {
  code: string;
  message: string;
  fields?: Record<string, string>;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; error: ApiError };

/** What the portal needs of the Hono app it is mounted in. */
export interface Requester {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

export type ApiClient = ReturnType<typeof apiClient>;

export function apiClient(app: Requester, token: string | null, requestId: string) {
  /** The raw response, for downloads. */
  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: RequestInit['body'];
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    return app.request(path, { method, headers, body: payload });
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const res = await send(method, path, body);
    const json = (await res.json().catch(() => null)) as { error?: ApiError } | null;
    if (res.ok) return { ok: true, status: res.status, data: json as T };
    const error = json?.error ?? {
      code: 'unknown',
      message: 'Une erreur est survenue. Réessayez dans quelques instants.',
    };
    return { ok: false, status: res.status, error };
  }

  return {
    send,
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
  };
}

/** Which form field an API refusal without `fields` belongs to. */
const fieldOfCode: Record<string, string> = {
  no_files: 'files',
  too_many_files: 'files',
  empty_file: 'files',
  file_too_large: 'files',
  unsupported_file_type: 'files',
  not_a_file: 'files',
  too_large: 'files',
  wrong_charter_code: 'code',
  serial_in_use: 'newKeySerial',
  slot_unavailable: 'slotId',
  invalid_validator: 'validatorUid',
};

export interface FormErrors {
  fields: Record<string, string>;
  /** A refusal that belongs to no field, shown above the form. */
  general: string | null;
}

export const noErrors: FormErrors = { fields: {}, general: null };

const sentence = (s: string) => {
  const t = s.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/**
 * Turns an API refusal into messages next to the fields. `wording` replaces the API's terse
 * field messages (written for developers) by what a person filling the form needs to read.
 */
export function formErrors(error: ApiError, wording: Record<string, string> = {}): FormErrors {
  const fields: Record<string, string> = {};
  for (const [name, message] of Object.entries(error.fields ?? {})) {
    // Only the terse messages of a failed validation are reworded; any other refusal (a serial
    // already in use…) says what is wrong in its own sentence.
    fields[name] =
      error.code === 'validation_failed' ? (wording[name] ?? sentence(message)) : error.message;
  }
  const field = fieldOfCode[error.code];
  if (field && !fields[field]) fields[field] = error.message;
  return { fields, general: Object.keys(fields).length > 0 ? null : error.message };
}
