// A worker thread of export-reader.ts: reads each export file it is sent into a FileBatch (scanned,
// each entry's own hash checked) and answers it, or the error that stopped it.

import { parentPort } from 'node:worker_threads';
import { readFileBatch } from './export-reader.js';

parentPort?.on('message', (file: string) => {
  readFileBatch(file).then(
    (batch) => parentPort?.postMessage({ batch }),
    (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});
