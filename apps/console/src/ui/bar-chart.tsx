import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface Series {
  label: string;
  values: number[];
  color: string;
}

/** A bar chart (Chart.js on a canvas); `summary` is what a screen reader hears instead. */
export function BarChart({
  labels,
  series,
  summary,
  stacked = false,
}: {
  labels: string[];
  series: Series[];
  summary: string;
  stacked?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) {
      return;
    }
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels,
        datasets: series.map((item) => ({
          label: item.label,
          data: item.values,
          backgroundColor: item.color,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [labels, series, stacked]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={summary} data-testid="usage-chart" />
    </div>
  );
}
