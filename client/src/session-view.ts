import { ApiError, api } from './api.js';
import { createSignIn } from './sections/sign-in.js';
import { createStatusBar } from './sections/status-bar.js';
import { forgetToken, hasRole, onSignInNeeded, readToken, saveToken, type WhoAmI } from './session.js';

/**
 * The page's side of signing in: the status bar (who, Sign out) and the sign-in prompt, what
 * /whoami says, and what a refusal (REST 401, refused live handshake) does. `restart` starts the
 * page again after the token changed, so every part reads with the same one.
 */
export function createSessionView(restart: () => void) {
  const signIn = createSignIn({
    signIn(token) {
      saveToken(token);
      restart();
    },
    continueReadOnly() {
      if (readToken() === null) {
        signIn.hide();
        return;
      }
      forgetToken();
      restart();
    },
  });
  const status = createStatusBar({
    signIn: () => askSignIn(null),
    signOut() {
      forgetToken();
      restart();
    },
  });

  let who: WhoAmI | null = null;
  let whoRead: Promise<WhoAmI | null> | null = null;
  /** The server's reason for the last refusal, kept to reword the prompt once /whoami has answered. */
  let refusal: string | null = null;
  let rechecking = false;

  /** GET /whoami once (again after a failed read): the status bar's name, and which reads this role may make. */
  function identity(): Promise<WhoAmI | null> {
    whoRead ??= api.whoami().then(
      (answer) => {
        who = answer;
        status.session(answer, readToken() !== null);
        // The prompt may have come up before /whoami answered: reword it with what is known now.
        if (signIn.shown) askSignIn(refusal);
        return answer;
      },
      () => {
        whoRead = null;
        return null;
      },
    );
    return whoRead;
  }

  /** Shows the sign-in prompt, saying why in words for people (the server's reason when a token was refused). */
  function askSignIn(serverReason: string | null): void {
    refusal = serverReason ?? refusal;
    const publicRead = who?.publicRead ?? false;
    let why: string;
    if (readToken() !== null)
      why = `The server refused the token this browser keeps${refusal ? `: ${refusal}` : ''}. Paste another one, or sign out.`;
    else if (publicRead)
      why =
        'Reads are public on this server; a token shows what your role allows (webhook deliveries need operator) and lets you make changes.';
    else why = 'This Headroom server needs an API token to show its figures.';
    signIn.show(why, publicRead);
  }

  /**
   * A refusal: the prompt, and when the status bar still names someone (a token revoked, a server
   * restarted with another admin token), /whoami asked again, once however many requests were refused.
   */
  function refused(reason: string | null): void {
    askSignIn(reason);
    if (rechecking || !who?.authenticated) return;
    rechecking = true;
    whoRead = null;
    void identity().finally(() => (rechecking = false));
  }
  onSignInNeeded(refused);

  /** Reads an operator-only list: null when this token's role is too weak (the section says so instead of failing). */
  async function operatorRead<T>(read: () => Promise<T>): Promise<T | null> {
    if (!hasRole(who, 'operator')) return null;
    try {
      return await read();
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return null;
      throw error;
    }
  }

  return { status, signIn, identity, askSignIn, refused, operatorRead };
}
