/**
 * A chart (chart-view.tsx) loaded with ECharts only when a page shows one: ECharts is most of the
 * console's weight and only the DPO's, the investigator's and the statistician's pages draw charts.
 * Until it has loaded, the same box, named by the same words (its text alternative).
 */
import { lazy, Suspense } from 'react';

const ChartView = lazy(() => import('./chart-view.tsx'));

/** ECharts' option object (typed loosely here so that this file does not pull ECharts in). */
export type ChartOption = Record<string, unknown>;

/** Tooltips as text inside the chart, never HTML (docs/adr/0024-staff-console.md). */
export const TEXT_TOOLTIP = { trigger: 'axis', renderMode: 'richText', confine: true } as const;

export function Chart(props: { readonly option: ChartOption; readonly label: string; readonly height?: number }) {
  const height = props.height ?? 280;
  return (
    <Suspense fallback={<div role="img" aria-label={props.label} className="tv-chart" style={{ height }} />}>
      <ChartView {...props} />
    </Suspense>
  );
}
