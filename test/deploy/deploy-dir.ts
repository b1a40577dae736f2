/** Paths of the repository's deploy/ folder and root, found from the compiled tests. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** deploy/, above the compiled tree (dist/test/deploy) or beside it. */
export function deployDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../../deploy'), path.resolve(here, '../../deploy')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'deployment.yaml'))) ?? candidates[0];
}

/** The repository root: the folder that holds deploy/. */
export function repositoryRoot(): string {
  return path.dirname(fs.realpathSync(deployDir()));
}
