/**
 * TensorFlow.js with the WebAssembly backend (SIMD, single-threaded in Node), falling back to the pure-JS
 * cpu backend. The .wasm binaries ship in the `@tensorflow/tfjs-backend-wasm` package and are read from
 * node_modules: nothing is fetched over the network. (`@tensorflow/tfjs-node` cannot be installed here:
 * its install script downloads libtensorflow.)
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

export type BackendChoice = 'auto' | 'wasm' | 'cpu';

let ready: Promise<string> | null = null;
let wanted: BackendChoice | null = null;

/** Selects the backend once per process (tfjs has one global backend) and returns its name. */
export function initBackend(choice: BackendChoice = 'auto'): Promise<string> {
  if (ready && (wanted === choice || choice === 'auto')) return ready;
  wanted = choice;
  ready = (async () => {
    if (choice !== 'cpu') {
      try {
        const require = createRequire(import.meta.url);
        setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return tf.getBackend();
        }
      } catch (e) {
        if (choice === 'wasm') throw e;
      }
      if (choice === 'wasm') throw new Error('The tfjs wasm backend could not be initialised');
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return tf.getBackend();
  })();
  return ready;
}
