import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { privateFile } from '../pipeline/store/db.js';

/** Where the first admin token goes when standard output is not a terminal (DATA_DIR, owner-only). */
export const FIRST_ADMIN_TOKEN_FILE = 'first-admin-token.txt';

/**
 * Where to sign in: the admin token made at first start is shown once. On a terminal it is
 * printed (it must not depend on LOG_LEVEL). Otherwise standard output is most likely a log
 * (systemd's journal, a container's), which must never hold a token: it goes to an owner-only
 * file in DATA_DIR instead, and the log says where.
 */
export function announceSignIn(
  config: Config,
  log: Logger,
  firstAdminToken: string | null,
  listeningUrl: string,
  options: { announce?: (text: string) => void; isTerminal?: boolean } = {},
): void {
  if (firstAdminToken) {
    const banner = adminTokenBanner(firstAdminToken, config.externalUrl ?? listeningUrl);
    if (options.announce) options.announce(banner);
    else if (options.isTerminal ?? process.stdout.isTTY === true) process.stdout.write(banner);
    else {
      const file = join(config.dataDir, FIRST_ADMIN_TOKEN_FILE);
      // Made owner-only before the token is written into it.
      privateFile(file);
      writeFileSync(file, banner);
      log.warn(
        { file },
        'an admin token was made at first start; standard output is not a terminal, so it is in this file: read it, then delete it',
      );
    }
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
