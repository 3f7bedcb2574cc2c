/**
 * The value of one sample line of a Prometheus exposition (`metrics.scrape()`), e.g.
 * `minimail_commands_total{protocol="pop3",command="USER"}`; undefined when the series is absent.
 * The series must be written as the exposition writes it: labels in registration order.
 */
export function metricSample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Scrapes until `series` reads `expected` (or `timeoutMs` has passed) and returns that exposition,
 * for the caller to assert on. A server counts a connection closed when it sees the close, a
 * moment after the client's own close() resolves: polling for it beats a fixed sleep that is
 * either slow or, on a loaded machine, too short.
 */
export async function scrapeWhen(
  scrape: () => Promise<string>,
  series: string,
  expected: number,
  timeoutMs = 2_000,
): Promise<string> {
  let text = await scrape();
  for (
    const deadline = Date.now() + timeoutMs;
    metricSample(text, series) !== expected && Date.now() < deadline;
  ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    text = await scrape();
  }
  return text;
}
