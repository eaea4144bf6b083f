// npm run bench:sanitizer — the chat output sanitizer on model answers, whole (a unary answer)
// and fed as 4-character deltas (a stream), in one process: no services needed.
import { OutputSanitizer } from '@tenantbot/chat/public-api';
import { percentile, printTable } from '@tenantbot/testing';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const DELTA_CHARS = 4;

const PLAIN =
  'Refunds are paid to the original card within five working days [1]. Express shipping to ' +
  'the islands costs 12 euros and takes two days [2]. '.repeat(12);
const MARKDOWN_LINKS =
  'See [the returns page](https://acme.example/returns) and ![chart](https://cdn.acme.example/c.png). ' +
  'Ignore [this](http://evil.example/?q=SECRET) and www.evil.example/x, but https://acme.example/ok is fine. '.repeat(
    6,
  );
const RAW_HTML =
  '<p>Use <b>bold</b> and <a href="https://acme.example/help" title="Help">help</a>.</p> ' +
  '<img src="https://cdn.acme.example/l.png" alt="logo"> <img src="//evil.example/p?q=1" alt="p"> ' +
  '<svg onload="alert(1)"></svg> <style>@import "//evil.example/x.css";</style> text. '.repeat(4);

const sanitizer = new OutputSanitizer(['acme.example']);

function time(run: () => void): { p50Ms: number; p99Ms: number; perSecond: number } {
  for (let i = 0; i < 50; i++) {
    run();
  } // warm up
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const begin = performance.now();
    run();
    latencies.push(performance.now() - begin);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    perSecond: CALLS / seconds,
  };
}

function streamed(text: string) {
  const streaming = sanitizer.streaming();
  for (let at = 0; at < text.length; at += DELTA_CHARS) {
    streaming.push(text.slice(at, at + DELTA_CHARS));
  }
  streaming.end();
}

const rows = [];
for (const [name, text] of [
  ['plain text with citations', PLAIN],
  ['Markdown links and images', MARKDOWN_LINKS],
  ['raw HTML', RAW_HTML],
] as const) {
  const whole = time(() => sanitizer.sanitize(text));
  const stream = time(() => streamed(text));
  rows.push(
    { answer: name, chars: text.length, mode: 'whole', ...round(whole) },
    { answer: name, chars: text.length, mode: `${DELTA_CHARS}-char deltas`, ...round(stream) },
  );
}
printTable(`OutputSanitizer, ${CALLS} answers per row`, rows);

function round(measurement: { p50Ms: number; p99Ms: number; perSecond: number }) {
  return {
    'p50 ms': measurement.p50Ms,
    'p99 ms': measurement.p99Ms,
    'answers/s': Math.round(measurement.perSecond),
  };
}
