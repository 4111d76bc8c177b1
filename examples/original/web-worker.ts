// A web worker: reports every message it gets back to the master.
import Clustr from 'clustr-node';

const name = process.argv[2] ?? 'web';
const worker = Clustr.Worker.create({ group: 'web' });
const report = (got: string) => () => worker.publish('master', { name, got });
worker.onPublic(report('public'));
worker.onGroup(report('group'));
worker.onPrivate(report('private'));
