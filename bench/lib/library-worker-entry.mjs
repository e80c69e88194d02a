// Worker threads of Node 20 do not inherit the TypeScript loader that tsx registers in the main
// thread, so each worker registers it before importing the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./library-worker.ts');
