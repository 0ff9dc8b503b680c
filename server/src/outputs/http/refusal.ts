import type { Request, Response } from 'express';

/**
 * Ends the connection with a refusal sent before the request's body was read (401, 403, 421,
 * and the 429 for failed authentications; not the request budgets' 429s). Kept alive, the connection would wait for the rest of the body before the next request:
 * a client trickling a byte every few seconds held its socket open after the 401 for as long as
 * it liked (issue 16). `Connection: close` has node end the socket once the answer is out; the
 * destroy covers a body still arriving then, which a half-closed socket would go on reading.
 */
export function closeAfterRefusal(req: Request, res: Response): void {
  // A request read whole (a GET, a small body already parsed) leaves a connection fit for the next one.
  if (res.headersSent || req.complete) return;
  res.set('Connection', 'close');
  res.once('finish', () => {
    if (!req.complete) req.socket.destroySoon();
  });
}
