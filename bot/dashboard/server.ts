/**
 * The dashboard's HTTP server (node:http, no framework): a handful of server-rendered pages
 * and their JSON twins over the store, plus the maintainers' re-run. It only reads the store,
 * except for the re-run, so it can run beside the bot (SQLite in WAL mode) or inside it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.ts';
import { LoginThrottle, SessionStore } from './auth.ts';
import { handleRequest, type DashboardDeps, type DashboardState } from './routes.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** "127.0.0.1:8080", "[::1]:8080", "localhost:0" → host and port. */
export function parseListen(text: string): ListenAddress {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port > 65535)
    throw new ConfigError(`listen address must be host:port, got "${text}"`, { listen: text });
  return { host: m[1], port };
}

export interface RunningDashboard {
  server: Server;
  /** The base URL it answers on (the actual port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

export function createDashboardServer(deps: DashboardDeps): Server {
  const state: DashboardState = { deps, sessions: new SessionStore(), throttle: new LoginThrottle() };
  return createServer((req, res) => {
    handleRequest(state, req)
      .then((reply) => {
        res.writeHead(reply.status, reply.headers);
        res.end(req.method === 'HEAD' ? undefined : reply.body);
      })
      .catch((err: unknown) => {
        // handleRequest answers its own errors; this is only a broken socket.
        deps.log.warn({ err: String(err) }, 'dashboard response failed');
        res.destroy();
      });
  });
}

export async function startDashboard(deps: DashboardDeps, listen: ListenAddress): Promise<RunningDashboard> {
  const server = createDashboardServer(deps);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? (addr satisfies AddressInfo).port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive browsers would hold close() open for minutes.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
