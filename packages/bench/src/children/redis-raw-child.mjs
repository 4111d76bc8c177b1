// A raw Redis client child: argv = [client ('redis-client' | 'ioredis'), mode ('sink' | 'echo'), url, channel, replyChannel?]
// sink: SUBSCRIBE channel, JSON.parse every payload, count; `{done}` over IPC once the count
//   announced by `{cmd: 'expect', n}` is reached.
// echo: SUBSCRIBE channel and PUBLISH every payload unchanged to replyChannel (ping-pong).
// Control and completion go over Node IPC; the measured traffic goes through Redis only.
import { createClient } from '@redis/client';
import { Redis } from 'ioredis';

const [client, mode, url, channel, replyChannel] = process.argv.slice(2);
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

let onPayload;
if (mode === 'echo') {
  let publish;
  if (client === 'ioredis') {
    const publisher = new Redis(url);
    publish = (payload) => publisher.publish(replyChannel, payload);
  } else {
    const publisher = createClient({ url });
    await publisher.connect();
    publish = (payload) => publisher.publish(replyChannel, payload);
  }
  onPayload = (payload) => void publish(payload);
} else {
  onPayload = (payload) => {
    if (JSON.parse(payload).data !== undefined) count++;
    check();
  };
}

if (client === 'ioredis') {
  const subscriber = new Redis(url);
  subscriber.on('message', (_channel, payload) => onPayload(payload));
  await subscriber.subscribe(channel);
} else {
  const subscriber = createClient({ url });
  await subscriber.connect();
  await subscriber.subscribe(channel, onPayload);
}
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
