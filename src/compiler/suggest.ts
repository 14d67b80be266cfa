/** Edit distance, bounded: stops early once the distance exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest known name to a misspelt one, if it is close enough to be a likely typo. */
export function suggest(word: string, known: Iterable<string>): string | null {
  const max = word.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDist = max + 1;
  for (const k of known) {
    const d = distance(word, k, max);
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return best;
}
