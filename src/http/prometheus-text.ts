/**
 * Prometheus text exposition format 0.0.4: counters, labelled counters and histograms, written
 * into one string. Only what /metrics needs; names and label values are ours (no escaping of
 * arbitrary input beyond what label values require).
 */
export class PrometheusText {
  private text = '';

  counter(name: string, help: string, value: number): this {
    this.header(name, help, 'counter');
    this.text += `${name} ${value}\n`;
    return this;
  }

  /** One counter with a label, one sample per entry of `values`. */
  labelledCounter(name: string, help: string, label: string, values: Record<string, number>): this {
    this.header(name, help, 'counter');
    for (const [labelValue, value] of Object.entries(values)) this.text += `${name}{${label}="${escapeLabel(labelValue)}"} ${value}\n`;
    return this;
  }

  histogramHeader(name: string, help: string): this {
    this.header(name, help, 'histogram');
    return this;
  }

  /** One labelled series of a histogram: cumulative bucket counts by upper bound, then sum and count. */
  histogramSeries(name: string, labels: string, upperBounds: readonly number[], cumulativeCounts: readonly number[], sum: number, count: number): this {
    upperBounds.forEach((bound, index) => (this.text += `${name}_bucket{${labels},le="${bound}"} ${cumulativeCounts[index]}\n`));
    this.text += `${name}_bucket{${labels},le="+Inf"} ${count}\n`;
    this.text += `${name}_sum{${labels}} ${sum}\n`;
    this.text += `${name}_count{${labels}} ${count}\n`;
    return this;
  }

  toString(): string {
    return this.text;
  }

  private header(name: string, help: string, type: string): void {
    this.text += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
