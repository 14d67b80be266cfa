/** When to try a deferred message again, and when to give up on it. */
export interface RetrySchedule {
  /** Seconds before the first retry. */
  first: number;
  /** Each later wait is the previous one times this. */
  factor: number;
  /** The longest wait between two attempts, in seconds. */
  max: number;
  /** Seconds after queueing when a message still not sent is given up and bounced. */
  giveUpAfter: number;
}

export const DEFAULT_RETRY: RetrySchedule = {
  first: 60,
  factor: 2,
  max: 3_600,
  giveUpAfter: 5 * 86_400,
};

/** Milliseconds to wait after the `attempts`-th failed attempt (1 for the first). */
export function retryDelay(schedule: RetrySchedule, attempts: number): number {
  const seconds = schedule.first * Math.pow(schedule.factor, Math.max(0, attempts - 1));
  return Math.min(seconds, schedule.max) * 1000;
}
