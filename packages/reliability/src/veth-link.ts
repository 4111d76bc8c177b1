import { execFile, execFileSync } from 'node:child_process';

/**
 * A network namespace joined to this one by a veth pair with a /30 of its own (10.213.x.0/30):
 * a "far host" whose only route to the host is a link the test can take down. Nothing else of
 * the machine's network is touched.
 */
export interface VethLink extends AsyncDisposable {
  /** The namespace's name, for `ip netns exec`. */
  readonly namespace: string;
  /** The host end's address (bind a server to it) and the far end's. */
  readonly hostAddress: string;
  readonly farAddress: string;
  /** The host end's interface, the one {@link VethLink.down} takes down. */
  readonly hostInterface: string;
  /** `argv` run inside the namespace: `['ip', 'netns', 'exec', <ns>, ...argv]`. */
  exec(argv: readonly string[]): string[];
  /**
   * Takes the host end down: the far end loses its carrier and what it sends is dropped, no
   * FIN, no RST, no error on its sockets — a silent partition for both sides.
   */
  down(): Promise<void>;
  /** Brings the host end up again. */
  up(): Promise<void>;
  /** Deletes the namespace and the pair; idempotent, never throws. */
  remove(): Promise<void>;
}

function ip(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

/**
 * Why a test cannot make namespaces here (not root, no CAP_NET_ADMIN, no iproute2), or
 * undefined when it can: one is made and deleted to find out.
 */
export async function netnsProblem(): Promise<string | undefined> {
  const probe = `clustr-probe-${process.pid}`;
  try {
    await ip('netns', 'add', probe);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  await ip('netns', 'del', probe).catch(() => {});
  return undefined;
}

/** Makes the namespace and the pair, named after this process so parallel runs never meet. */
export async function createVethLink(): Promise<VethLink> {
  const id = process.pid % 100_000;
  const namespace = `clustr-far-${id}`;
  const hostInterface = `clh${id}`;
  const farInterface = `clf${id}`;
  // 64 /30s of 10.213.x.0/24 per third octet: a subnet of its own per process, on this pair only.
  const subnet = (id % 64) * 4;
  const octet = 1 + (Math.floor(id / 64) % 250);
  const hostAddress = `10.213.${octet}.${subnet + 1}`;
  const farAddress = `10.213.${octet}.${subnet + 2}`;
  const inFar = (...args: string[]) => ip('netns', 'exec', namespace, 'ip', ...args);
  let isRemoved = false;
  // Whatever ends this process (a failed assertion, a timeout), the namespace goes with it.
  const removeOnExit = () => {
    try {
      execFileSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  };
  process.on('exit', removeOnExit);
  const remove = async () => {
    if (isRemoved) return;
    isRemoved = true;
    process.off('exit', removeOnExit);
    // Deleting the namespace deletes its end of the pair, and with it the host end.
    await ip('netns', 'del', namespace).catch(() => {});
    await ip('link', 'del', hostInterface).catch(() => {});
  };
  try {
    await ip('netns', 'add', namespace);
    await ip('link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', farInterface, 'netns', namespace);
    await ip('addr', 'add', `${hostAddress}/30`, 'dev', hostInterface);
    await ip('link', 'set', hostInterface, 'up');
    await inFar('addr', 'add', `${farAddress}/30`, 'dev', farInterface);
    await inFar('link', 'set', farInterface, 'up');
    await inFar('link', 'set', 'lo', 'up');
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    namespace,
    hostAddress,
    farAddress,
    hostInterface,
    exec: (argv) => ['ip', 'netns', 'exec', namespace, ...argv],
    down: () => ip('link', 'set', hostInterface, 'down').then(() => {}),
    up: () => ip('link', 'set', hostInterface, 'up').then(() => {}),
    remove,
    [Symbol.asyncDispose]: remove,
  };
}
