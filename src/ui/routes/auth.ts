/** Sign-in, sign-out and the home page. */
import type { PostedForm } from '../../margo/form.js';
import type { SessionDraft } from '../../store/interface.js';
import type { UiApp } from '../env.js';
import { postedForm, safeReturn, single } from '../guard.js';
import { signInPage } from '../pages/sign-in.js';
import { endSession, signInTokenMatches, startSession } from '../session.js';

const MAX_CARRY_BYTES = 256 * 1024;

export function registerAuth(ui: UiApp): void {
  ui.get('/', (c) => c.redirect(c.get('session') ? '/catalogue' : '/sign-in', 303));

  ui.get('/sign-in', (c) => {
    const back = safeReturn(c.req.query('return'));
    if (c.get('session')) return c.redirect(back, 303);
    return signInPage(c, { returnTo: back });
  });

  ui.post('/sign-in', async (c) => {
    const form = await postedForm(c);
    const back = safeReturn(single(form, 'return'));
    const carry = readCarry(single(form, 'carry'));
    if (!signInTokenMatches(c, single(form, '_csrf'))) {
      return signInPage(
        c,
        { returnTo: back, carry, error: 'the sign-in form was out of date; enter the token again' },
        403,
      );
    }
    const token = (single(form, 'token') ?? '').trim();
    const services = c.get('services');
    const record = token === '' ? undefined : await services.store.tokens.findByHash(await services.hashToken(token));
    if (!record) {
      const error = token === '' ? 'enter your API token' : 'this token is unknown or was revoked';
      return signInPage(c, { returnTo: back, carry, error }, 401);
    }
    const draft: SessionDraft | null = carry ? { path: back.split('?')[0] ?? back, fields: carry } : null;
    await startSession(c, record, draft);
    services.logger.info({ tokenId: record.id, role: record.role }, 'signed in to the web pages');
    return c.redirect(back === '/' ? '/catalogue' : back, 303);
  });

  ui.post('/sign-out', async (c) => {
    await endSession(c);
    return c.redirect('/sign-in', 303);
  });
}

/** The typed values a sign-in page carried (its own hidden field): a flat map of strings. */
function readCarry(text: string | undefined): PostedForm | undefined {
  if (text === undefined || text.length > MAX_CARRY_BYTES) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const form: PostedForm = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') form[key] = value;
      else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) form[key] = value;
    }
    return form;
  } catch {
    return undefined;
  }
}
