import { type ComponentProps, lazy, Suspense } from 'react';

import { Loading } from './components';

/** Chart.js is a third of the bundle: loaded with the first page that draws a chart. */
const BarChart = lazy(() => import('./bar-chart').then((module) => ({ default: module.BarChart })));

export function LazyBarChart(props: ComponentProps<typeof BarChart>) {
  return (
    <Suspense fallback={<Loading what="the chart" />}>
      <BarChart {...props} />
    </Suspense>
  );
}
