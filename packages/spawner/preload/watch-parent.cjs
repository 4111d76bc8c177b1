'use strict';
// Preloaded by @clustr/spawner (node --require) into every Node child it starts.
// A child must not outlive its parent: when the IPC channel to the parent disconnects (the
// parent exited, crashed or was SIGKILLed), the child exits, as Node's cluster workers do.
// The channel is unref'd so that it alone never keeps the child alive; @clustr/core refs it
// while a worker is open.
if (process.channel && typeof process.send === 'function') {
  process.once('disconnect', () => {
    // Next tick: after every other 'disconnect' listener ran.
    process.nextTick(() => process.exit(process.exitCode ?? 0));
  });
  process.channel.unref();
}
