/**
 * In-process worker addresses: `iii+inproc://<id>/`, handed out by a worker listener for a worker
 * running in the engine's own process (the framework's). A connection to one is an
 * {@link InProcessSocket} pair: the worker sends the same JSON text frames it would send over a
 * WebSocket, and the listener runs the same handshake checks and worker connection on them, without
 * HTTP upgrade, framing, masking or syscalls. Every other path of such an address (data channels,
 * `/otel`) is served over the listener's real socket.
 *
 * iii-sdk opens its connection with `new (require('ws').WebSocket)(address, options)`;
 * {@link installInProcessTransport} makes that constructor open these addresses in memory and
 * leaves every other address to `ws`, untouched.
 */
import type { ClientOptions, WebSocket } from 'ws';
import type { HandshakeRequest } from '../security/handshake';
import { newId } from '../core/ids';
import { InProcessSocket } from './in-process-socket';

/** The scheme of in-process worker addresses; only a worker listener hands them out. */
export const IN_PROCESS_SCHEME = 'iii+inproc:';

/** A connection being opened to an in-process endpoint. */
export interface InProcessOpening {
  /** What a WebSocket upgrade would show: the headers given to the client, the path, no remote address. */
  readonly request: HandshakeRequest;
  /** Completes the opening: returns the listener's end (open), the worker's end emits `open`. */
  accept(): InProcessSocket;
  /** Refuses it as an HTTP status would refuse an upgrade: the worker sees `error`, then `close` 1006. */
  refuse(status: number): void;
}

/** What a worker listener serves at its in-process address. */
export interface InProcessEndpoint {
  /** Called for each connection to the address's `/`. */
  open(opening: InProcessOpening): void;
  /** The real WebSocket URL serving every other path of the address (data channels, `/otel`). */
  socketUrl(): string;
}

const endpoints = new Map<string, InProcessEndpoint>();

/** Registers an endpoint under a fresh address; `remove()` makes later connections fail as refused. */
export function addInProcessEndpoint(endpoint: InProcessEndpoint): { url: string; remove: () => void } {
  const id = newId();
  endpoints.set(id, endpoint);
  return { url: `${IN_PROCESS_SCHEME}//${id}/`, remove: () => endpoints.delete(id) };
}

type Route = { kind: 'socket'; url: string } | { kind: 'in-process'; url: string; id: string; path: string };

/** Undefined: not an in-process address (`ws` handles it as ever). */
function routeOf(address: unknown): Route | undefined {
  const text = address instanceof URL ? address.href : address;
  if (typeof text !== 'string' || !text.startsWith(IN_PROCESS_SCHEME)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { kind: 'in-process', url: text, id: '', path: '/' };
  }
  const endpoint = endpoints.get(url.host);
  if (url.pathname === '/' || url.pathname === '' || endpoint === undefined) {
    return { kind: 'in-process', url: text, id: url.host, path: `/${url.search}` };
  }
  return { kind: 'socket', url: `${endpoint.socketUrl().replace(/\/$/, '')}${url.pathname}${url.search}` };
}

/** Header names lower-cased, as a server sees them; repeated values joined as HTTP does. */
function headersOf(headers: ClientOptions['headers']): HandshakeRequest['headers'] {
  const seen: HandshakeRequest['headers'] = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    seen[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return seen;
}

function refused(url: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${url}`), { code: 'ECONNREFUSED' });
}

/** The worker's end of a new connection; the endpoint decides in a later macrotask, like a server. */
function openInProcess(route: Extract<Route, { kind: 'in-process' }>, options: ClientOptions | undefined): InProcessSocket {
  const client = new InProcessSocket(route.url, {
    ...(options?.handshakeTimeout !== undefined && { handshakeTimeoutMs: options.handshakeTimeout }),
  });
  setImmediate(() => {
    if (client.readyState !== InProcessSocket.CONNECTING) return;
    const endpoint = endpoints.get(route.id);
    if (endpoint === undefined) {
      client.fail(refused(route.url));
      return;
    }
    const request: HandshakeRequest = { headers: headersOf(options?.headers), url: route.path, socket: {} };
    try {
      endpoint.open({
        request,
        accept: () => {
          const accepted = new InProcessSocket(route.url, { open: true });
          client.connectTo(accepted);
          return accepted;
        },
        refuse: (status) => client.fail(new Error(`Unexpected server response: ${status}`)),
      });
    } catch {
      client.fail(new Error('Unexpected server response: 500'));
    }
  });
  return client;
}

/** `ws` constructor arguments: `(address, protocols?, options?)` or `(address, options?)`. */
function optionsOf(args: readonly unknown[]): ClientOptions | undefined {
  const second = args[1];
  const options = typeof second === 'object' && second !== null && !Array.isArray(second) ? second : args[2];
  return typeof options === 'object' && options !== null ? (options as ClientOptions) : undefined;
}

/** A `ws` module's exports, as far as the install touches them. */
export interface WebSocketModule {
  WebSocket: typeof WebSocket;
}

const installed = new WeakSet<object>();

/**
 * Makes `wsModule.WebSocket` (the constructor iii-sdk calls) open `iii+inproc:` addresses in memory.
 * It stays the same class for everything else: any other address is constructed by `ws` itself,
 * with the same arguments (statics, `instanceof` and subclasses unchanged). Idempotent; pass the
 * `ws` module iii-sdk loads.
 */
export function installInProcessTransport(wsModule: WebSocketModule): void {
  if (installed.has(wsModule.WebSocket)) return;
  const routed = new Proxy(wsModule.WebSocket, {
    construct(target, args: unknown[], newTarget) {
      const route = routeOf(args[0]);
      if (route === undefined) return Reflect.construct(target, args, newTarget) as object;
      if (route.kind === 'socket') return Reflect.construct(target, [route.url, ...args.slice(1)], newTarget) as object;
      return openInProcess(route, optionsOf(args));
    },
  });
  installed.add(routed);
  wsModule.WebSocket = routed;
}
