import { readFile, stat } from 'node:fs/promises';

/**
 * The slurmrestd token: fixed (SLURM_JWT), or read from a file (SLURM_JWT_FILE) so a rotation
 * by cron (`scontrol token lifespan=… > file`) is picked up without a restart. The file is read
 * again when its modification time or size changes, and after slurmrestd refused the token
 * (`refused`): a rewrite within the same second as the last read is not missed.
 * Reads `SLURM_JWT=<token>` (what `scontrol token` prints) or the bare token.
 */
export function createSlurmJwt(from: { token: string } | { file: string }) {
  if ('token' in from) return { current: async (): Promise<string> => from.token, refused: (): void => {} };
  let cached: { token: string; stamp: string } | null = null;
  return {
    /** The token to send now; throws (with the file's error) when the file cannot be read. */
    async current(): Promise<string> {
      const s = await stat(from.file);
      const stamp = `${s.mtimeMs}:${s.size}`;
      if (cached?.stamp === stamp) return cached.token;
      const token = tokenOf(await readFile(from.file, 'utf8'));
      cached = { token, stamp };
      return token;
    },
    refused(): void {
      cached = null;
    },
  };
}

export type SlurmJwt = ReturnType<typeof createSlurmJwt>;

function tokenOf(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().replace(/^SLURM_JWT=/, '');
}
