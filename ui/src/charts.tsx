/**
 * Charts: time series with uPlot (small, fast, canvas) and a hand-drawn scatter for the k-means picture.
 * Colours come from the theme's CSS variables, so both follow the light/dark switch.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const PALETTE = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'];

export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export interface LineSeries {
  label: string;
  /** CSS variable of the colour, e.g. `--c1`. */
  color: string;
  values: (number | null)[];
}

export interface LineChartProps {
  /** Epoch ms. */
  times: number[];
  series: LineSeries[];
  height?: number;
  /** Fixed y range (accuracy: [0, 1]). */
  yRange?: [number, number];
  format?: (v: number) => string;
  testId?: string;
  theme: string;
}

export function LineChart({ times, series, height = 180, yRange, format, testId, theme }: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData;
  const shape = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = host.current!;
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { show: series.length > 1, live: false },
      // at least a minute wide, so a young series does not get sub-second ticks
      scales: { x: { time: true, range: (_u, lo, hi) => [Math.min(lo, hi - 60), hi] }, y: yRange ? { range: yRange } : { auto: true } },
      axes: [axis, { ...axis, size: 56, values: (_u, vals) => vals.map((v) => (format ? format(v) : String(v))) }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: cssVar(s.color),
          width: 2,
          spanGaps: true,
          points: { show: true, size: 5 },
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : format ? format(v) : String(v)),
        })),
      ],
    };
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // recreated when the series or the theme change; data updates go through setData below
  }, [shape, theme, height]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return <div class="chart" ref={host} data-testid={testId} data-points={times.length} />;
}

export interface ScatterProps {
  points: number[][];
  labels: (number | null)[];
  centroids: number[][];
  x: number;
  y: number;
  xLabel: string;
  yLabel: string;
  theme: string;
  height?: number;
}

/** Points coloured by label, centroids as large crosses. */
export function Scatter({ points, labels, centroids, x, y, xLabel, yLabel, theme, height = 260 }: ScatterProps) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const c = canvas.current!;
    const draw = () => {
      const dpr = window.devicePixelRatio || 1;
      const w = c.clientWidth;
      const h = height;
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      const g = c.getContext('2d')!;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, w, h);
      const all = [...points, ...centroids];
      if (all.length === 0) {
        g.fillStyle = cssVar('--muted');
        g.font = '13px system-ui, sans-serif';
        g.fillText('No training points yet', 12, 24);
        return;
      }
      const xs = all.map((p) => p[x]!);
      const ys = all.map((p) => p[y]!);
      const pad = (lo: number, hi: number) => (hi - lo || 1) * 0.08;
      const [x0, x1] = [Math.min(...xs) - pad(Math.min(...xs), Math.max(...xs)), Math.max(...xs) + pad(Math.min(...xs), Math.max(...xs))];
      const [y0, y1] = [Math.min(...ys) - pad(Math.min(...ys), Math.max(...ys)), Math.max(...ys) + pad(Math.min(...ys), Math.max(...ys))];
      const m = { l: 44, r: 10, t: 10, b: 34 };
      const px = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (w - m.l - m.r);
      const py = (v: number) => h - m.b - ((v - y0) / (y1 - y0)) * (h - m.t - m.b);

      // grid and ticks
      g.strokeStyle = cssVar('--grid');
      g.fillStyle = cssVar('--muted');
      g.font = '11px system-ui, sans-serif';
      g.lineWidth = 1;
      for (let i = 0; i <= 4; i++) {
        const vx = x0 + ((x1 - x0) * i) / 4;
        const vy = y0 + ((y1 - y0) * i) / 4;
        g.beginPath();
        g.moveTo(px(vx), m.t);
        g.lineTo(px(vx), h - m.b);
        g.moveTo(m.l, py(vy));
        g.lineTo(w - m.r, py(vy));
        g.stroke();
        g.textAlign = 'center';
        g.fillText(vx.toFixed(1), px(vx), h - m.b + 14);
        g.textAlign = 'right';
        g.fillText(vy.toFixed(1), m.l - 6, py(vy) + 4);
      }
      g.textAlign = 'center';
      g.fillText(xLabel, m.l + (w - m.l - m.r) / 2, h - 4);
      g.save();
      g.translate(11, m.t + (h - m.t - m.b) / 2);
      g.rotate(-Math.PI / 2);
      g.fillText(yLabel, 0, 0);
      g.restore();

      points.forEach((p, i) => {
        const label = labels[i];
        g.fillStyle = cssVar(label === null || label === undefined ? '--muted' : PALETTE[label % PALETTE.length]!);
        g.globalAlpha = 0.75;
        g.beginPath();
        g.arc(px(p[x]!), py(p[y]!), 3.5, 0, Math.PI * 2);
        g.fill();
      });
      g.globalAlpha = 1;
      g.lineWidth = 3;
      centroids.forEach((c0, i) => {
        const cx = px(c0[x]!);
        const cy = py(c0[y]!);
        g.strokeStyle = cssVar('--bg');
        g.lineWidth = 6;
        cross(g, cx, cy);
        g.strokeStyle = cssVar('--fg');
        g.lineWidth = 2.5;
        cross(g, cx, cy);
        g.fillStyle = cssVar('--fg');
        g.textAlign = 'left';
        g.fillText(`c${i}`, cx + 9, cy - 7);
      });
    };
    draw();
    const ro = new ResizeObserver(draw);
    ro.observe(c);
    return () => ro.disconnect();
  }, [points, labels, centroids, x, y, theme, height]);

  return <canvas class="scatter" ref={canvas} style={{ height: `${height}px` }} data-testid="kmeans-scatter" data-points={points.length} data-centroids={centroids.length} />;
}

function cross(g: CanvasRenderingContext2D, x: number, y: number): void {
  g.beginPath();
  g.moveTo(x - 7, y - 7);
  g.lineTo(x + 7, y + 7);
  g.moveTo(x + 7, y - 7);
  g.lineTo(x - 7, y + 7);
  g.stroke();
}

/** A 28×28 (or n×n) grey image drawn from row-major bytes (white ink on black, as MNIST stores it). */
export function DigitImage({ pixels, size, title }: { pixels: string; size: number; title: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const bytes = Uint8Array.from(atob(pixels), (ch) => ch.charCodeAt(0));
    const g = canvas.current!.getContext('2d')!;
    const img = g.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const v = bytes[i] ?? 0;
      img.data[i * 4] = v;
      img.data[i * 4 + 1] = v;
      img.data[i * 4 + 2] = v;
      img.data[i * 4 + 3] = 255;
    }
    g.putImageData(img, 0, 0);
  }, [pixels, size]);
  return <canvas class="digit" ref={canvas} width={size} height={size} role="img" aria-label={title} title={title} />;
}
