// A Moleculer node with the Redis transporter: argv = [url, namespace, nodeID].
// Service `bench`: event `bench.msg` counts (completion `{done}` over IPC once the count
// announced by `{cmd: 'expect', n}` is reached); action `bench.echo` returns its params.
import { ServiceBroker } from 'moleculer';

const [url, namespace, nodeID] = process.argv.slice(2);
let count = 0;
let expected = Number.POSITIVE_INFINITY;
const check = () => {
  if (count < expected) return;
  process.send({ done: count });
  count = 0;
  expected = Number.POSITIVE_INFINITY;
};
process.on('message', (message) => {
  if (message.cmd === 'expect') {
    expected = message.n;
    check();
  }
});

const broker = new ServiceBroker({ namespace, nodeID, transporter: url, logger: false });
broker.createService({
  name: 'bench',
  events: {
    'bench.msg'() {
      count++;
      check();
    },
  },
  actions: {
    echo(ctx) {
      return ctx.params;
    },
  },
});
await broker.start();
process.on('disconnect', () => void broker.stop().finally(() => process.exit(0)));
process.send({ ready: true });
