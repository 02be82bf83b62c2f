import type { Child } from 'hono/jsx';
import type { FormErrors } from './client.js';

/** Design-system form fields. Each shows its error right under it, linked by aria-describedby. */

export const Csrf = (props: { token: string }) => (
  <input type="hidden" name="_csrf" value={props.token} />
);

function Messages(props: { id: string; error?: string }) {
  return (
    <div class="fr-messages-group" id={`${props.id}-messages`} aria-live="polite">
      {props.error ? (
        <p class="fr-message fr-message--error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

const Hint = (props: { text?: Child }) =>
  props.text ? <span class="fr-hint-text">{props.text}</span> : null;

/** A refusal that belongs to no field, or the reminder that fields below need attention. */
export function FormAlert(props: { errors: FormErrors }) {
  const count = Object.keys(props.errors.fields).length;
  if (!props.errors.general && count === 0) return null;
  return (
    <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert">
      <p>
        {props.errors.general ??
          (count === 1
            ? 'Le formulaire contient une erreur : corrigez le champ signalé.'
            : `Le formulaire contient ${count} erreurs : corrigez les champs signalés.`)}
      </p>
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  hint?: Child;
  error?: string;
  id?: string;
}

export function TextInput(
  props: FieldProps & {
    value?: string;
    inputmode?: 'numeric' | 'text';
    autocomplete?: string;
    required?: boolean;
    textarea?: boolean;
    maxlength?: number;
  },
) {
  const id = props.id ?? props.name;
  const shared = {
    class: `fr-input${props.error ? ' fr-input--error' : ''}`,
    id,
    name: props.name,
    'aria-describedby': `${id}-messages`,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    required: props.required,
    maxlength: props.maxlength,
  };
  return (
    <div class={`fr-input-group${props.error ? ' fr-input-group--error' : ''}`}>
      <label class="fr-label" for={id}>
        {props.label}
        <Hint text={props.hint} />
      </label>
      {props.textarea ? (
        <textarea {...shared} rows={4}>
          {props.value ?? ''}
        </textarea>
      ) : (
        <input
          {...shared}
          type="text"
          value={props.value ?? ''}
          inputmode={props.inputmode}
          autocomplete={props.autocomplete ?? 'off'}
        />
      )}
      <Messages id={id} error={props.error} />
    </div>
  );
}

export function Select(
  props: FieldProps & { options: [string, string][]; placeholder: string; value?: string },
) {
  const id = props.id ?? props.name;
  return (
    <div class={`fr-select-group${props.error ? ' fr-select-group--error' : ''}`}>
      <label class="fr-label" for={id}>
        {props.label}
        <Hint text={props.hint} />
      </label>
      <select
        class={`fr-select${props.error ? ' fr-select--error' : ''}`}
        id={id}
        name={props.name}
        aria-describedby={`${id}-messages`}
        aria-invalid={props.error ? 'true' : undefined}
      >
        <option value="" selected={!props.value}>
          {props.placeholder}
        </option>
        {props.options.map(([value, label]) => (
          <option value={value} selected={props.value === value}>
            {label}
          </option>
        ))}
      </select>
      <Messages id={id} error={props.error} />
    </div>
  );
}

export interface RadioOption {
  value: string;
  label: string;
  hint?: Child;
}

export function Radios(
  props: Omit<FieldProps, 'label'> & {
    legend: string;
    options: RadioOption[];
    value?: string;
    inline?: boolean;
  },
) {
  const id = props.id ?? props.name;
  return (
    <fieldset
      class={`fr-fieldset${props.error ? ' fr-fieldset--error' : ''}`}
      id={id}
      aria-labelledby={`${id}-legend ${id}-messages`}
    >
      <legend class="fr-fieldset__legend--regular fr-fieldset__legend" id={`${id}-legend`}>
        {props.legend}
        <Hint text={props.hint} />
      </legend>
      {props.options.map((o) => (
        <div class={`fr-fieldset__element${props.inline ? ' fr-fieldset__element--inline' : ''}`}>
          <div class="fr-radio-group">
            <input
              type="radio"
              id={`${id}-${o.value}`}
              name={props.name}
              value={o.value}
              checked={props.value === o.value}
            />
            <label class="fr-label" for={`${id}-${o.value}`}>
              {o.label}
              <Hint text={o.hint} />
            </label>
          </div>
        </div>
      ))}
      <Messages id={id} error={props.error} />
    </fieldset>
  );
}

export function Checkbox(props: FieldProps & { checked?: boolean }) {
  const id = props.id ?? props.name;
  return (
    <div class={`fr-checkbox-group${props.error ? ' fr-checkbox-group--error' : ''} fr-mb-3w`}>
      <input
        type="checkbox"
        id={id}
        name={props.name}
        value="true"
        checked={props.checked}
        aria-describedby={`${id}-messages`}
      />
      <label class="fr-label" for={id}>
        {props.label}
        <Hint text={props.hint} />
      </label>
      <Messages id={id} error={props.error} />
    </div>
  );
}

export function Upload(props: FieldProps & { maxFiles: number; maxFileMb: number }) {
  const id = props.id ?? props.name;
  return (
    <div class={`fr-upload-group${props.error ? ' fr-upload-group--error' : ''} fr-mb-3w`}>
      <label class="fr-label" for={id}>
        {props.label}
        <span class="fr-hint-text">
          {'Formats acceptés : PDF, JPEG, PNG ou HEIC (photo de téléphone). '}
          {`${props.maxFileMb} Mo au maximum par fichier, ${props.maxFiles} fichiers au maximum.`}
          {props.hint ? <> {props.hint}</> : null}
        </span>
      </label>
      <input
        class="fr-upload"
        type="file"
        id={id}
        name={props.name}
        multiple
        accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic"
        aria-describedby={`${id}-messages`}
        aria-invalid={props.error ? 'true' : undefined}
      />
      <Messages id={id} error={props.error} />
    </div>
  );
}

/** The files of a multipart form, without the empty part a browser sends when none is chosen. */
export function chosenFiles(body: Record<string, unknown>, name = 'files'): File[] {
  const value = body[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is File => v instanceof File && (v.size > 0 || v.name !== ''));
}

/** A form field as a string; multipart bodies may repeat names, the last one wins. */
export function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last : '';
}
