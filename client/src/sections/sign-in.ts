import { api } from '../api.js';
import { h, setText } from '../dom.js';
import { tokenFromInput } from '../session.js';

export interface SignInOptions {
  /** Keeps a token the server accepted and starts the page again with it. */
  signIn(token: string): void;
  /** Forgets the token: back to public reads (offered only when the server has them). */
  continueReadOnly(): void;
}

/**
 * "Sign in: paste an API token": shown when the server refuses this browser (no token where one
 * is needed, or one it does not know), with its reason and where a token comes from. A pasted
 * token is checked with GET /whoami before it is kept, so a typo is answered here, not by a
 * page that stays empty.
 */
export function createSignIn(options: SignInOptions) {
  const reason = h('p', { class: 'sign-in-reason', 'data-testid': 'sign-in-reason' });
  const input = h('input', {
    type: 'password',
    name: 'token',
    class: 'sign-in-input',
    placeholder: 'hr_… or the link with #token=…',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-label': 'API token',
    'data-testid': 'sign-in-token',
  });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'sign-in-submit' }, 'Sign in');
  const readOnly = h(
    'button',
    { class: 'btn', type: 'button', hidden: true, 'data-testid': 'sign-in-read-only', onclick: () => options.continueReadOnly() },
    'Continue read-only',
  );
  const answer = h('p', { class: 'sign-in-answer error', role: 'alert', hidden: true, 'data-testid': 'sign-in-answer' });
  const form = h('form', { class: 'sign-in-form' }, input, submit, readOnly);
  const el = h(
    'section',
    { class: 'sign-in', 'data-testid': 'sign-in', 'aria-labelledby': 'sign-in-title', hidden: true },
    h('h2', { id: 'sign-in-title' }, 'Sign in: paste an API token'),
    reason,
    form,
    answer,
    h(
      'p',
      { class: 'sign-in-help' },
      "A token comes from whoever runs this Headroom. The admin token is printed once in the server's output at first start, with a link that signs you in. For a token of your own, they run ",
      h('code', {}, 'npm run token -- --role viewer --name <you>'),
      ' (or POST /api/v1/tokens). It is kept in this browser until you sign out.',
    ),
  );

  const say = (text: string | null): void => {
    answer.hidden = text === null;
    setText(answer, text ?? '');
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = tokenFromInput(input.value);
    if (token === '' || /\s/.test(token)) {
      say('A token is one word without spaces: hr_… or the admin token the server was started with.');
      return;
    }
    submit.disabled = true;
    say(null);
    api
      .whoami(token)
      .then(
        (who) => {
          if (who.authenticated) options.signIn(token);
          else say(`The server does not accept this token${who.reason ? `: ${who.reason}` : ' (unknown or revoked)'}.`);
        },
        (error: Error) => say(`Could not ask the server: ${error.message}`),
      )
      .finally(() => (submit.disabled = false));
  });

  return {
    el,
    /** Shows the prompt with why; `publicRead` offers to read without a token instead. */
    show(why: string, publicRead: boolean): void {
      setText(reason, why);
      readOnly.hidden = !publicRead;
      const opening = el.hidden;
      el.hidden = false;
      if (opening) input.focus();
    },
    hide(): void {
      el.hidden = true;
      say(null);
    },
    get shown(): boolean {
      return !el.hidden;
    },
  };
}
