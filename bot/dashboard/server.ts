/**
 * The dashboard's HTTP server: the hono application (app.ts) on @hono/node-server. It only reads
 * the store, except for the re-run, so it can run beside the bot (SQLite in WAL mode) or inside
 * it. Slow clients are cut off by node's own request and header timeouts.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.ts';
import { dashboardApp } from './app.ts';
import type { DashboardDeps } from './context.ts';

export type { DashboardDeps } from './context.ts';

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

/** Whole request within 30 s, headers within 10 s: a client dribbling bytes cannot hold a socket. */
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;

export async function startDashboard(deps: DashboardDeps, listen: ListenAddress): Promise<RunningDashboard> {
  const app = await dashboardApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: listen.host,
        port: listen.port,
        serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS },
      },
      () => resolve(s as Server),
    );
    s.once('error', reject);
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
