/**
 * The argument that marks a worker thread of `tamis filter --jobs` (it runs the same entry file
 * as the command line). Checked in process.argv, so the main thread never loads worker_threads.
 */
export const FILTER_WORKER_ARG = '--tamis-filter-worker';

export const isFilterWorker = (): boolean => process.argv[2] === FILTER_WORKER_ARG;
