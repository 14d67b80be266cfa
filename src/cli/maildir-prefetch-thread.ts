import { runPrefetchReader } from './maildir-prefetch.js';

// Entry of the reader thread of `tamis filter` (see maildir-prefetch.ts): kept apart from the
// command line so the thread starts without loading it.
runPrefetchReader();
