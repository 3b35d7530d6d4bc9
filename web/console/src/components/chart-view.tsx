/**
 * The chart itself (chart.tsx loads this file, and ECharts with it, only when a page shows a chart).
 * One Apache ECharts chart under the console's content-security policy (docs/adr/0024): the SVG
 * renderer (elements made with createElementNS, no markup string), tooltips rendered as text in the
 * chart (`renderMode: 'richText'`: the HTML tooltip sets innerHTML with markup, which the Trusted
 * Types policy refuses), and a text alternative: the chart is an image named by `label` (a summary
 * in words), and each page shows the same numbers as a table beside it (WCAG 1.1.1).
 */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  MarkAreaComponent,
  MarkLineComponent,
  SVGRenderer,
]);

type ChartOption = EChartsCoreOption;

export default function ChartView({
  option,
  label,
  height = 280,
}: {
  readonly option: ChartOption;
  readonly label: string;
  readonly height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'svg', height });
    chart.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, ...option });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [option, height]);
  return <div ref={ref} role="img" aria-label={label} className="tv-chart" style={{ height }} />;
}
