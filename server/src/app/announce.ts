import type { Logger } from 'pino';
import type { Config } from '../config.js';

/**
 * Where to sign in: the admin token made at first start is shown once (stdout by default: it
 * must not depend on LOG_LEVEL); otherwise how to get one.
 */
export function announceSignIn(
  config: Config,
  log: Logger,
  firstAdminToken: string | null,
  listeningUrl: string,
  announce?: (text: string) => void,
): void {
  if (firstAdminToken) {
    (announce ?? ((text) => process.stdout.write(text)))(adminTokenBanner(firstAdminToken, config.externalUrl ?? listeningUrl));
  } else if (config.auth.adminToken === null) {
    log.info('sign in with an API token (the admin token was shown at first start; a new one: npm run token -- --role admin --name <who>)');
  }
}

/** Shown once, like Jupyter's: the URL's fragment never reaches a server or a proxy log, and the dashboard keeps it. */
function adminTokenBanner(token: string, baseUrl: string): string {
  return [
    '',
    '  Headroom made an admin API token at first start. It is shown this once and stored only hashed:',
    `      ${token}`,
    '  Open the dashboard signed in as admin:',
    `      ${baseUrl}/#token=${token}`,
    '  Use it as `Authorization: Bearer <token>`; make tokens for people and collectors with POST /api/v1/tokens.',
    '',
    '',
  ].join('\n');
}
