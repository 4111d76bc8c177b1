import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/** A TCP proxy in front of a server that can fall silent, as a network partition does. */
export interface BlackholeProxy extends AsyncDisposable {
  /** `redis://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /**
   * Cuts the connections whose first bytes (the client's handshake, e.g. `CLIENT SETNAME
   * x:pub`) match `match` — all of them when it is absent — and new ones that match too: no
   * byte passes either way, no FIN, no RST. Like TCP over a dead link, nothing is lost either:
   * what was written meanwhile arrives after {@link BlackholeProxy.heal}, if the sockets last.
   */
  cut(match?: RegExp): void;
  /** Ends the partition: every connection flows again. */
  heal(): void;
  close(): Promise<void>;
}

interface Pipe {
  readonly client: Socket;
  readonly upstream: Socket;
  /** The client's first bytes, to tell the publisher from the subscriber. */
  hello: string;
}

/**
 * Starts a proxy to `127.0.0.1:<targetPort>`. A cut stops reading on both sockets of a pipe:
 * the kernel buffers fill and every write on the far side still succeeds, so neither end hears
 * anything — the silent partition the health check must find.
 */
export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
  const pipes = new Set<Pipe>();
  let cut: RegExp | undefined;
  const isCut = (pipe: Pipe) => cut?.test(pipe.hello) === true;
  const apply = (pipe: Pipe) => {
    for (const socket of [pipe.client, pipe.upstream]) {
      if (isCut(pipe)) socket.pause();
      else socket.resume();
    }
  };
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    const pipe: Pipe = { client, upstream, hello: '' };
    pipes.add(pipe);
    client.on('data', (chunk: Buffer) => {
      if (pipe.hello.length < 1024) {
        pipe.hello += chunk.toString('latin1');
        apply(pipe);
        // The chunk that revealed a cut connection is held back too, as a dead link would.
        if (isCut(pipe)) {
          client.unshift(chunk);
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    // A new connection during a cut of everything hears nothing, as a SYN into a dead link.
    apply(pipe);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy got no TCP port');
  const close = async () => {
    for (const pipe of pipes) {
      pipe.client.destroy();
      pipe.upstream.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `redis://127.0.0.1:${address.port}`,
    cut(match = /(?:)/) {
      cut = match;
      for (const pipe of pipes) apply(pipe);
    },
    heal() {
      cut = undefined;
      for (const pipe of pipes) apply(pipe);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
