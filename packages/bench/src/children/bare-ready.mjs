// The bare Node child of the spawn-to-ready and memory baselines: it only says it is ready over
// IPC, then idles until its parent goes away.
process.send?.({ ready: true });
process.on('disconnect', () => process.exit(0));
