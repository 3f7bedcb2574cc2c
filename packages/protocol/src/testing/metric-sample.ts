/**
 * The value of one sample line of a Prometheus exposition (`metrics.scrape()`), e.g.
 * `minimail_commands_total{protocol="pop3",command="USER"}`; undefined when the series is absent.
 * The series must be written as the exposition writes it: labels in registration order.
 */
export function metricSample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
