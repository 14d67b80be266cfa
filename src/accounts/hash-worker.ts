/**
 * The worker thread of the hash pool: verifies passwords, one message at a time. It is its own
 * entry point (a separate file in the build), loaded only by HashPool.
 */
import { parentPort } from 'node:worker_threads';
import { verifyPassword } from './schemes.js';

export interface VerifyJob {
  id: number;
  password: string;
  stored: string;
  defaultScheme: string;
}

parentPort?.on('message', (job: VerifyJob) => {
  void verifyPassword(job.password, job.stored, job.defaultScheme).then((ok) =>
    parentPort!.postMessage({ id: job.id, ok }),
  );
});
