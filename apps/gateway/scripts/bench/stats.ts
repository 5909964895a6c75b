/** Figures of the benchmarks: medians, quantiles, and a plain text table. */

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2 : Number.NaN;
};

/** The q-quantile (nearest rank below) of a sample. */
export const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

/** Samples gathered by name over interleaved rounds. */
export class Samples {
  private readonly values = new Map<string, number[]>();
  add(name: string, value: number): void {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
  }
  all(name: string): number[] {
    return this.values.get(name) ?? [];
  }
  median(name: string): number {
    return median(this.all(name));
  }
  last(name: string): number | undefined {
    return this.values.get(name)?.at(-1);
  }
  names(): string[] {
    return [...this.values.keys()];
  }
}

/** Rows as aligned columns (first row: the header), separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** `1234.5` as `1,235`. */
export const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '?');
export const fixed = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '?');
