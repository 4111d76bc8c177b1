// What a spawned child imports to rebuild the IPC transport: the module the descriptor names
// (clustr-node's own bundle, already loaded by the worker) and whether it restores the transport;
// and whether the bundle's ClustrError recognises one of the @clustr/protocol package's copy.
import { readFile } from 'node:fs/promises';
import { ClustrError as PackageClustrError } from '@clustr/protocol';
import { ClustrError, createIpcTransport } from 'clustr-node';

const { module } = createIpcTransport().describe();
const descriptor = await import(module);
const bundled = await readFile(new URL(module), 'utf8');
const imports = [...bundled.matchAll(/from "(@clustr\/[^"]+)"/g)].map((match) => match[1]);
const crossCopy =
  ClustrError !== PackageClustrError &&
  new PackageClustrError('ERR_CLUSTR_CLOSED', 'x') instanceof ClustrError &&
  new ClustrError('ERR_CLUSTR_CLOSED', 'x') instanceof PackageClustrError;
console.log(
  JSON.stringify({
    module,
    restores: typeof descriptor.restoreTransport,
    imports: [...new Set(imports)],
    crossCopy,
  }),
);
