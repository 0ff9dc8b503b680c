/**
 * Target server: serves simulated nodes' dcgm-exporter text as separate exporters would.
 *
 *   node --import tsx test/bench/servers/dcgm-targets.ts '{"topology":"colossus","nodes":24576,"port":9400,"tickMs":10000,"idleCloseMs":0}'
 *
 * One wildcard socket; node i answers at http://<loopbackAddress(i)>:<port>/metrics, so every
 * node is its own HTTP origin. Connections from outside 127.0.0.0/8 are dropped. Like Go's
 * http.Server in dcgm-exporter it sends no Keep-Alive header and never closes idle connections,
 * unless idleCloseMs > 0 (benchmark 3 closes idle ones after a moment to stay under the fd limit;
 * see its caveats). The simulator advances every tickMs, half a tick off the scrapers' round
 * boundaries, and each node's text is rendered once per tick and served from memory.
 * GET http://127.0.0.1:<port>/stats answers requests, series and bytes served and connections
 * opened, per scraper (Prometheus by its User-Agent, else `other`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { countSeriesLines } from '../lib/exposition.js';
import { benchSimulator } from '../lib/ingest-workload.js';
import { nodeIndexOfAddress } from '../lib/targets.js';
import { benchTopology, type BenchTopology } from '../lib/topologies.js';

interface Options {
  topology: BenchTopology;
  nodes: number;
  port: number;
  tickMs: number;
  idleCloseMs: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const topology = benchTopology(opts.topology);
const sim = benchSimulator(topology);
const nodeCount = Math.min(opts.nodes, topology.nodes.length);

interface Counter {
  requests: number;
  series: number;
  bytes: number;
  connections: number;
}
const stats: Record<string, Counter> = {};
const counter = (agent: string): Counter => (stats[agent] ??= { requests: 0, series: 0, bytes: 0, connections: 0 });

let tickIndex = Number.NaN;
let cache: Array<{ body: Buffer; series: number } | undefined> = [];
function advance(): void {
  const index = Math.floor((Date.now() - opts.tickMs / 2) / opts.tickMs);
  if (index === tickIndex) return;
  tickIndex = index;
  sim.advance(index * opts.tickMs);
  cache = new Array(nodeCount);
}
advance();
const schedule = (): void => {
  const untilNext = opts.tickMs - ((Date.now() - opts.tickMs / 2) % opts.tickMs);
  setTimeout(() => {
    advance();
    schedule();
  }, untilNext + 1);
};
schedule();

const seenSockets = new WeakSet<Socket>();

function handle(req: IncomingMessage, res: ServerResponse): void {
  const local = req.socket.localAddress ?? '';
  if (req.url === '/stats' && (local === '127.0.0.1' || local === '::ffff:127.0.0.1')) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ stats, tickIndex, nodes: nodeCount }));
    return;
  }
  const node = nodeIndexOfAddress(local);
  if (req.url !== '/metrics' || node < 0 || node >= nodeCount) {
    res.statusCode = 404;
    res.end('not found\n');
    return;
  }
  const agent = /^Prometheus\//.test(req.headers['user-agent'] ?? '') ? 'prometheus' : 'other';
  const c = counter(agent);
  if (!seenSockets.has(req.socket)) {
    seenSockets.add(req.socket);
    c.connections++;
  }
  let entry = cache[node];
  if (entry === undefined) {
    const text = sim.renderNode(node);
    entry = { body: Buffer.from(text, 'latin1'), series: countSeriesLines(text) };
    cache[node] = entry;
  }
  c.requests++;
  c.series += entry.series;
  c.bytes += entry.body.length;
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': entry.body.length });
  res.end(entry.body);
}

const server = createServer(handle);
server.keepAliveTimeout = 0; // no Keep-Alive header, no idle close: Go's net/http defaults
server.requestTimeout = 0;
server.on('connection', (socket: Socket) => {
  const remote = socket.remoteAddress ?? '';
  if (!remote.startsWith('127.') && !remote.startsWith('::ffff:127.')) {
    socket.destroy();
    return;
  }
  if (opts.idleCloseMs > 0) {
    socket.setTimeout(opts.idleCloseMs, () => socket.destroy());
  }
});
server.listen(opts.port, '0.0.0.0', () => {
  console.log(JSON.stringify({ listening: opts.port, nodes: nodeCount }));
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
