/// <reference lib="dom" />
// Saving settings: a PUT that, on 409, shows what would change and repeats with ?force=true when the
// user agrees.
import { api, ApiError } from './api.js';
import { confirmConflict } from './dialog.js';
import { errorText, markInvalid, type messageLine } from './messages.js';

/** PUTs `body` to `path`; returns the answer, or null when it failed or the user declined. */
export async function saveSettings<T>(
  path: string,
  body: unknown,
  form: HTMLElement,
  msg: ReturnType<typeof messageLine>,
): Promise<T | null> {
  markInvalid(form, null);
  try {
    return await api<T>('PUT', path, body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      if (!(await confirmConflict(e.body))) {
        msg.error(errorText(e));
        return null;
      }
      try {
        return await api<T>('PUT', `${path}?force=true`, body);
      } catch (e2) {
        msg.error(errorText(e2));
        return null;
      }
    }
    markInvalid(form, e);
    msg.error(errorText(e));
    return null;
  }
}
