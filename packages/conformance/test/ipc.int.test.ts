import { createIpcTransport } from '@clustr/transport-ipc';
import { conformanceSuite } from '../src/index.js';

conformanceSuite({
  name: 'ipc',
  setup: async () => ({ createTransport: () => createIpcTransport() }),
});
