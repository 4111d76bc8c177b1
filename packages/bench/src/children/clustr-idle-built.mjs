// A clustr worker as users run it: the built packages (dist), plain node, no loader. It joins the
// cluster (its transport is rebuilt from the parent's descriptor) and idles until closed.
import { Worker } from '@clustr/core';

const worker = Worker.create({ group: 'bench' });
await worker.ready();
