// A throwaway PostgreSQL for a Node test, through kartiba-test-postgres (tests/cluster/support):
// initdb in a temporary folder as `postgres`, a free port on 127.0.0.1, fsync on. close() stops
// it and removes the folder; so does this process ending in any way (the helper sees its stdin
// close, and the server gets a parent-death signal if the helper itself is killed).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
export const TEST_POSTGRES_BIN = process.env.KARTIBA_TEST_POSTGRES
  || resolve(here, '../../../build/tests/cluster/kartiba-test-postgres');

// Resolves {conninfo, port, folder, stop(), stopImmediately(), start(), close()}.
export async function startPostgres() {
  if (!existsSync(TEST_POSTGRES_BIN)) {
    throw new Error(`kartiba-test-postgres not found at ${TEST_POSTGRES_BIN}; set KARTIBA_TEST_POSTGRES`);
  }
  const proc = spawn(TEST_POSTGRES_BIN, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = once(proc, 'exit');
  const lines = createInterface({ input: proc.stdout });
  const pending = [];
  const waiting = [];
  lines.on('line', (line) => { if (waiting.length) waiting.shift()(line); else pending.push(line); });
  proc.on('exit', () => { for (const w of waiting.splice(0)) w(null); });
  const nextLine = () => (pending.length ? Promise.resolve(pending.shift())
    : new Promise((res) => waiting.push(res)));

  const first = await nextLine();
  if (first === null) throw new Error(`kartiba-test-postgres failed:\n${stderr}`);
  const info = JSON.parse(first);

  let queue = Promise.resolve();
  const ask = (verb) => {
    const run = queue.then(async () => {
      proc.stdin.write(`${verb}\n`);
      const answer = await nextLine();
      if (answer !== 'ok') throw new Error(`postgres ${verb}: ${answer ?? `helper exited\n${stderr}`}`);
    });
    queue = run.catch(() => {});
    return run;
  };
  let closed = false;
  return {
    ...info,
    stop: () => ask('stop'),
    stopImmediately: () => ask('stop-immediately'),
    start: () => ask('start'),
    async close() {
      if (closed) return;
      closed = true;
      proc.stdin.end();
      await exited;
    },
  };
}
