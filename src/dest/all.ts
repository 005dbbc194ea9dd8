// Every transport name, each loading its module only when a copy uses it.
import { registerLazyTransport } from './parse.js';

registerLazyTransport('docker://', () => import('./registry.js'));
registerLazyTransport('docker-daemon', () => import('./docker-daemon.js'));
registerLazyTransport('podman', () => import('./podman.js'));
registerLazyTransport('docker-archive', () => import('./archive-files.js'));
registerLazyTransport('oci-archive', () => import('./archive-files.js'));
