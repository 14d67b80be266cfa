import { parentPort, workerData } from 'node:worker_threads';
import { FileReader, filterFiles, type FilterContext, type FilterWorkerSetup } from './filter.js';
import { compileChain, createEngine } from './test.js';

/**
 * A worker thread of `tamis filter`: compiles the script once, says it is ready, then runs it over
 * each batch it is sent.
 */
export async function runFilterWorker(): Promise<void> {
  const setup = (workerData as { setup: FilterWorkerSetup }).setup;
  const engine = await createEngine(setup.config);
  const chain = await compileChain(engine, setup.script, setup, setup.json);
  if (!chain) throw new Error(`cannot compile ${setup.script}`);
  const { parseMessage } = await import('../index.js');
  const cx: FilterContext = {
    engine,
    chain,
    json: setup.json,
    parseMessage,
    reader: new FileReader(),
  };
  parentPort!.on('message', (msg: { id: number; files: string[] }) => {
    parentPort!.postMessage({ id: msg.id, result: filterFiles(cx, msg.files) });
  });
  parentPort!.postMessage({ ready: true });
}
