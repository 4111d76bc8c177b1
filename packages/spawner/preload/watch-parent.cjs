'use strict';
// Preloaded by @clustr/spawner (node --require) into every Node child it starts.
// 1. A child must not outlive its parent: when its link to the parent (fd $CLUSTR_LINK_FD) or
//    its IPC channel closes (the parent exited, crashed or was SIGKILLed), the child exits, as
//    Node's cluster workers do. Both are unref'd so that they alone never keep the child alive;
//    @clustr/core refs the link while a worker is open.
// 2. The handshake starts here, before the child's own modules load: the hello goes out at
//    once and the parent's welcome is read while the program starts. @clustr/spawner takes the
//    socket and what was read over from the global below.
// Only in the main thread: --require also runs in worker threads, loader hooks' included (tsx),
// and a second reader on the link's fd would steal the parent's frames. A clustr child's main
// thread has Node's IPC channel (process.send); its worker threads never do (cheaper to ask than
// to load node:worker_threads).
const isMainThread = typeof process.send === 'function';
const exitWithParent = () => process.nextTick(() => process.exit(process.exitCode ?? 0));
if (isMainThread && process.channel) {
  process.once('disconnect', exitWithParent);
  process.channel.unref();
}
const env = {
  CLUSTR_WORKER_ID: process.env.CLUSTR_WORKER_ID,
  CLUSTR_PARENT_ID: process.env.CLUSTR_PARENT_ID,
  CLUSTR_LINK_FD: process.env.CLUSTR_LINK_FD,
};
const fd = Number(env.CLUSTR_LINK_FD);
if (isMainThread && Number.isInteger(fd) && fd > 2) {
  // Taken out of the environment at once: a process this child forks by other means (which
  // inherits --require and the environment) must not take fd 4 for a link of its own.
  for (const name of Object.keys(env)) delete process.env[name];
  try {
    const { Socket } = require('node:net');
    const socket = new Socket({ fd, readable: true, writable: true });
    const chunks = [];
    const onData = (chunk) => chunks.push(chunk);
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.once('close', exitWithParent);
    socket.write('{"clustr":1,"type":"hello"}\n');
    socket.unref();
    globalThis[Symbol.for('clustr.parentLink')] = { socket, chunks, onData, env };
  } catch {
    // Not a socket (started by hand with the variable set): @clustr/spawner reports it.
  }
}
