import type { SendCounters } from '../../stores/types.js';

/**
 * How much automatic mail (redirects, vacation replies, notifications, rejections) one user may
 * send. Counts are recipients: one message to 25 addresses counts 25. Local delivery is never
 * limited; only the sending is held or dropped.
 */
export interface SendingLimits {
  /** Recipients per envelope; more are split into several envelopes of the same message. */
  maxRecipients: number;
  /** Per user, over the last 60 seconds. */
  perMinute: number;
  /** Per user over the last hour, day (24 h) and month (30 days); null for no cap. */
  perHour: number | null;
  perDay: number | null;
  perMonth: number | null;
  /** What happens to a send over a limit: `hold` queues it until the window allows it, `drop` discards it. */
  overLimit: 'hold' | 'drop';
  /** A held send not released after this many seconds is dropped. */
  holdFor: number;
}

export const DEFAULT_SENDING_LIMITS: SendingLimits = {
  maxRecipients: 25,
  perMinute: 100,
  perHour: null,
  perDay: null,
  perMonth: null,
  overLimit: 'hold',
  holdFor: 3 * 86_400,
};

/**
 * Redirects one message may cause on the platform (a user may forward to up to 15 addresses).
 * This is the engine's `maxRedirects`, whose own default is Pigeonhole's 4: delivery passes this.
 */
export const PLATFORM_MAX_REDIRECTS = 15;

/** The platform's plans: hourly, daily and monthly caps on top of the per-minute rate. */
export const SENDING_PLANS = {
  small: { perHour: 50, perDay: 500, perMonth: 5_000 },
  medium: { perHour: 200, perDay: 2_400, perMonth: 36_000 },
  large: { perHour: 500, perDay: 6_000, perMonth: 90_000 },
} as const satisfies Record<string, Partial<SendingLimits>>;

export type SendingPlan = keyof typeof SENDING_PLANS;

/** The limits of a plan, with the defaults for everything the plan does not set. */
export function planLimits(plan: SendingPlan, base: Partial<SendingLimits> = {}): SendingLimits {
  return { ...DEFAULT_SENDING_LIMITS, ...base, ...SENDING_PLANS[plan] };
}

const WINDOWS = [
  ['perMinute', 60],
  ['perHour', 3_600],
  ['perDay', 86_400],
  ['perMonth', 30 * 86_400],
] as const;

/** Which limit a send would break, and when to look again. */
export interface OverLimit {
  limit: (typeof WINDOWS)[number][0];
  max: number;
  count: number;
  /** When to check again (the window has moved on by then). */
  retryAt: Date;
}

/**
 * Whether `n` more recipients fit in every window for `user`; null when they do. Counts and
 * additions are separate calls, so processes sending at the same instant can overshoot a limit
 * by what they send together, never more.
 */
export async function checkLimits(
  counters: SendCounters,
  user: string,
  n: number,
  limits: SendingLimits,
  now: Date,
): Promise<OverLimit | null> {
  for (const [limit, seconds] of WINDOWS) {
    const max = limits[limit];
    if (max === null) continue;
    const count = await counters.count(user, new Date(now.getTime() - seconds * 1000));
    if (count + n > max) {
      // A window frees up gradually; one minute (or the window itself when shorter) is a fair wait.
      return { limit, max, count, retryAt: new Date(now.getTime() + Math.min(seconds, 60) * 1000) };
    }
  }
  return null;
}

/** Splits recipients into envelopes of at most `max`, keeping their order. */
export function splitRecipients(to: string[], max: number): string[][] {
  const size = Math.max(1, Math.floor(max));
  const out: string[][] = [];
  for (let i = 0; i < to.length; i += size) out.push(to.slice(i, i + size));
  return out;
}
