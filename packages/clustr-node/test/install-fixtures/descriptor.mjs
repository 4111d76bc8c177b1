// What a spawned child imports to rebuild the IPC transport: the module the descriptor names
// (clustr-node's own bundle, already loaded by the worker) and whether it restores the transport.
import { readFile } from 'node:fs/promises';
import { createIpcTransport } from 'clustr-node';

const { module } = createIpcTransport().describe();
const descriptor = await import(module);
const bundled = await readFile(new URL(module), 'utf8');
const imports = [...bundled.matchAll(/from "(@clustr\/[^"]+)"/g)].map((match) => match[1]);
console.log(
  JSON.stringify({ module, restores: typeof descriptor.restoreTransport, imports: [...new Set(imports)] }),
);
