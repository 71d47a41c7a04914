// Temporary folders of a test process: made under the system's temporary folder (TMPDIR), and
// all of them removed when the process exits, whether its tests passed or failed (a test that
// removes its own folder earlier loses nothing). Plain Node, no packages: every test folder's
// helpers import it by a relative path.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set();
let hooked = false;

function removeAll() {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A folder that cannot go (a mount still on it) stays; the exit must not fail for it.
    }
  }
  made.clear();
}

// A new folder `${TMPDIR}/${prefix}XXXXXX`, removed at exit at the latest.
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAll);
  }
  made.add(dir);
  return dir;
}

// Removes a folder now (made by makeTempDir or not).
export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.delete(dir);
}
