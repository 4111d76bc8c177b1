/** The Redis both machines share: `REDIS_URL`, else a local default. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A tiny logger with wall-clock times, so the two machines' output reads as one story. */
export function createLog(who: string): (line: string) => void {
  return (line) => console.log(`${new Date().toISOString().slice(11, 23)}  ${who.padEnd(10, ' ')} ${line}`);
}
