// The parts of undici longshore uses, loaded one by one. The package's index also loads fetch,
// WebSocket, cookies, mocks and caches: about 35 ms on every run of the edit/push loop.
import type { Dispatcher, buildConnector as BuildConnector } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';
import connectorFactory from 'undici/lib/core/connect.js';
import { setFlagsFromString } from 'node:v8';

// undici parses HTTP with llhttp compiled to WebAssembly, on its first connection. V8 then
// recompiles that module with its optimising tier on background threads, and process exit waits
// for the job: about 80 ms on every push of the edit/push loop. The baseline compiler is plenty
// for parsing response headers. Set here, where undici loads, so that other commands skip node:v8.
setFlagsFromString('--liftoff-only');

// What undici's index does to give every dispatcher request(), stream(), pipeline(), ….
Object.assign(DispatcherClass.prototype, api);

export const Agent = AgentClass;
export type Agent = InstanceType<typeof AgentClass>;
export const buildConnector = connectorFactory;
export type Connector = BuildConnector.connector;
export type { Dispatcher };

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method?: Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};

/** undici's request(url, opts) with an explicit dispatcher, which is all longshore ever uses. */
export function request(url: string | URL, opts: RequestOptions): Promise<Dispatcher.ResponseData> {
  const u = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher, method = 'GET', ...rest } = opts;
  return dispatcher.request({ ...rest, origin: u.origin, path: u.pathname + u.search, method });
}
