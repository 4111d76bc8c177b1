// A clustr worker as users run it: the `clustr-node` package as built (its one bundle), plain
// node, no loader. It joins the cluster (its transport is rebuilt from the parent's descriptor,
// which names the same bundle) and idles until closed.
import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'bench' });
await worker.ready();
