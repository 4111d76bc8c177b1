// A raw `child_process.fork` child (Node's own IPC, serialization 'json').
// argv[2] = 'sink': counts `{meta, data}` messages (arrays count per element) and reports
//   `{done}` once it has the count announced by `{cmd: 'expect', n}`; `{cmd: 'blast', n}` makes it
//   send n messages to the parent, backpressure-aware (the relay source).
// argv[2] = 'echo': sends every message straight back (ping-pong).
const mode = process.argv[2];

if (mode === 'echo') {
  process.on('message', (message) => process.send(message));
} else {
  let count = 0;
  let expected = Number.POSITIVE_INFINITY;
  const check = () => {
    if (count < expected) return;
    process.send({ done: count });
    count = 0;
    expected = Number.POSITIVE_INFINITY;
  };
  const blast = async (n) => {
    const meta = { workerId: 'raw-source', group: 'bench' };
    let isBlocked = false;
    for (let i = 0; i < n; i++) {
      const message = { meta, data: { i } };
      if (!isBlocked) isBlocked = !process.send(message);
      else {
        isBlocked = false;
        await new Promise((resolve) => process.send(message, resolve));
      }
    }
  };
  process.on('message', (message) => {
    if (Array.isArray(message)) count += message.length;
    else if (message.data !== undefined) count++;
    else if (message.cmd === 'expect') expected = message.n;
    else if (message.cmd === 'blast') void blast(message.n);
    check();
  });
}
process.send({ ready: true });
