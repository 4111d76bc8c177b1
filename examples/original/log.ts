const started = Date.now();

/** A tiny timestamped logger, so the example's output reads as a story. */
export function createLog(who: string): (line: string) => void {
  return (line) => {
    const ms = String(Date.now() - started).padStart(5, ' ');
    console.log(`${ms} ms  ${who.padEnd(12, ' ')} ${line}`);
  };
}
