/** Where the bench and the repository are, wherever the harness is started from. */
import { fileURLToPath } from 'node:url';

export const benchDirectory = fileURLToPath(new URL('..', import.meta.url));
export const repoDirectory = fileURLToPath(new URL('../..', import.meta.url));
