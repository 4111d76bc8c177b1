import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { encodeData, encodeMeta } from '@clustr/protocol';
import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { redisForFile } from './file-redis.js';
import { record } from './recorder.js';

const run = promisify(execFile);
const SECRET = 'the-readme-secret-0123456789abcdef0123';
const file = redisForFile({ secret: SECRET });
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The fenced blocks of `language` in the README's Trust section, as a reader copies them. */
function recipes(language: string): string[] {
  const trust = readme.slice(readme.indexOf('## Trust'), readme.indexOf('### What a secret protects'));
  return [...trust.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (m) => m[1] as string,
  );
}

describe("the README's signing recipes against a live transport", () => {
  it('Python: signed_payload and signed_run are delivered; verify accepts what the transport sends', async () => {
    const [python] = recipes('python');
    expect(python).toContain('def signed_run');
    const transport = file.transport('shop');
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    const spy = createClient({ url: file.server.url });
    await spy.connect();
    const sent: Buffer[] = [];
    await spy.subscribe('shop:public', (message) => sent.push(message), true);
    transport.publish('public', encodeMeta({ group: 'master' }), encodeData('lone'));
    await recorder.waitForMessages(1, 'the lone message');
    for (let i = 0; i < 3; i++) transport.publish('public', encodeMeta({ group: 'master' }), encodeData(i));
    await recorder.waitForMessages(4, 'the run of three');
    const script = `${python}
import sys
secret, ch = sys.argv[1].encode(), "shop:public"
for payload in sys.stdin.buffer.read().split(b"\\n\\x00\\n"):
    print(json.dumps(verify(secret, ch, payload)))
sys.stdout.flush()
`;
    const checked = run('python3', ['-c', script, SECRET], { encoding: 'utf8' });
    checked.child.stdin?.end(
      Buffer.concat(sent.flatMap((payload, i) => (i ? [Buffer.from('\n\0\n'), payload] : [payload]))),
    );
    const verified = (await checked).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(verified.map((envelopes: { data: unknown }[]) => envelopes.map((e) => e.data))).toEqual([
      ['lone'],
      [0, 1, 2],
    ]);
    const publish = `${python}
import sys
secret, ch = sys.argv[1].encode(), "shop:public"
sys.stdout.buffer.write(signed_payload(secret, ch, {"group": "ops"}, "from python") + b"\\n")
sys.stdout.buffer.write(signed_run(secret, ch, {"group": "ops"}, [0, 1, 2]))
`;
    const [lone, signedRun] = (
      await run('python3', ['-c', publish, SECRET], { encoding: 'utf8' })
    ).stdout.split('\n');
    await file.server.cli('PUBLISH', 'shop:public', lone as string);
    await file.server.cli('PUBLISH', 'shop:public', signedRun as string);
    await recorder.waitForMessages(8, 'the lone and the run python signed');
    expect(recorder.messages.slice(4).map((m) => m.envelope.data)).toEqual(['from python', 0, 1, 2]);
    expect(transport.stats().forbidden).toBe(0);
    await spy.close();
  });

  it('shell: the signed kill and the signed run are delivered', async () => {
    const [sh] = recipes('sh').filter((block) => block.includes('openssl'));
    expect(sh).toContain('"run":[1,2]');
    const transport = file.transport('shop');
    const recorder = record(transport);
    await transport.connect({ workerId: 'w2', group: 'web' });
    await Promise.all([transport.subscribe('public'), transport.subscribe('kill:w2')]);
    // The recipe as written, against this test's server: redis-cli is given its port.
    const script = `redis-cli() { command redis-cli -p ${file.server.port} "$@"; }\n${sh}`;
    await run('bash', ['-c', script], { env: { ...process.env, CLUSTR_SECRET: SECRET, WORKER_ID: 'w2' } });
    await recorder.waitForMessages(3, 'the kill and the two messages of the run');
    expect(recorder.messages.map((m) => [m.channel, m.envelope.data])).toEqual([
      ['kill:w2', 3],
      ['public', 1],
      ['public', 2],
    ]);
    expect(transport.stats().forbidden).toBe(0);
  });
});
