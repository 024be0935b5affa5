/**
 * The HTTP endpoint Prometheus scrapes (`--metrics HOST:PORT`): `GET /metrics` answers the
 * exposition text, made at each request from what the monitor last saw. Built on `Deno.serve`;
 * it listens only where told, and is not started at all unless told.
 *
 * @module
 */

import { EXPOSITION_CONTENT_TYPE } from "../outputs/prometheus.ts";

/** Where the endpoint listens: `--metrics HOST:PORT`, read. */
export interface MetricsAddress {
  /** A name or an address; an IPv6 address without its brackets. */
  hostname: string;
  /** 0: a port the kernel picks (the started line names it). */
  port: number;
}

/** A running `/metrics` endpoint. */
export class MetricsServer {
  private constructor(readonly server: Deno.HttpServer<Deno.NetAddr>) {}

  /**
   * Listens on `address`; rejects when it cannot (the port is taken, the address is not this
   * host's). `render` makes the exposition, or returns null while there is none yet (before the
   * first look), which is answered 503 so that a scrape then is a failed scrape, not an empty one.
   */
  static listen(address: MetricsAddress, render: () => string | null): MetricsServer {
    const server = Deno.serve({
      hostname: address.hostname,
      port: address.port,
      onListen: () => {}, // the monitor's started line says where
    }, (request) => respond(request, render));
    return new MetricsServer(server);
  }

  /** Where it listens, the port the kernel picked included: `127.0.0.1:9465`, `[::1]:9465`. */
  get address(): string {
    const { hostname, port } = this.server.addr;
    return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  }

  /** Stops listening and ends the connections open. */
  async close(): Promise<void> {
    await this.server.shutdown();
  }
}

/** The answer to one request: the exposition at `/metrics`, nothing anywhere else. */
function respond(request: Request, render: () => string | null): Response {
  const path = new URL(request.url).pathname;
  if (path !== "/metrics") {
    return new Response("portset serves /metrics only\n", { status: 404 });
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("GET /metrics\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const text = render();
  if (text === null) return new Response("no look taken yet\n", { status: 503 });
  return new Response(request.method === "HEAD" ? null : text, {
    headers: { "content-type": EXPOSITION_CONTENT_TYPE },
  });
}
