// The app's charts of the last hour (uPlot), from GET /api/v1/apps/:app/series, redrawn at each sample.
import uPlot from "./vendor/uplot.esm.js";

const CHARTS = {
  requests: [{ key: "requestsPerSecond", label: "requests/s", stroke: "#2563eb" }],
  errors: [{ key: "errorRate", label: "error rate %", stroke: "#dc2626", scale: 100 }],
  latency: [
    { key: "p50Ms", label: "p50 ms", stroke: "#0891b2" },
    { key: "p95Ms", label: "p95 ms", stroke: "#7c3aed" },
  ],
  instances: [
    { key: "instances", label: "instances", stroke: "#16a34a" },
    { key: "openConnections", label: "open connections", stroke: "#ca8a04" },
  ],
};

const HEIGHT = 150;

function columns(series, lines) {
  const time = series.time.map((t) => t / 1000);
  const values = lines.map((line) =>
    series[line.key].map((v) => (v === null ? null : v * (line.scale ?? 1))),
  );
  const points = values.reduce((sum, column) => sum + column.filter((v) => v !== null).length, 0);
  return { data: [time, ...values], points };
}

const pad = (n) => String(n).padStart(2, "0");
/** Axis times as 14:05 (14:05:30 when the samples span less than ten minutes): short enough for a phone. */
function timeLabels(u, splits) {
  const span = (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0);
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return span < 600 ? `${hm}:${pad(d.getSeconds())}` : hm;
  });
}

function options(lines, width) {
  return {
    width,
    height: HEIGHT,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max * 1.15)] } },
    axes: [
      { stroke: "#64748b", grid: { stroke: "#eef2f7" }, values: timeLabels, space: 70 },
      { stroke: "#64748b", size: 44, grid: { stroke: "#eef2f7" } },
    ],
    series: [
      {},
      ...lines.map((line) => ({
        label: line.label,
        stroke: line.stroke,
        width: 2,
        fill: `${line.stroke}14`,
        points: { size: 5 },
      })),
    ],
  };
}

function draw(figure, plots, series) {
  const name = figure.dataset.chart;
  const lines = CHARTS[name];
  const target = figure.querySelector(".plot");
  const { data, points } = columns(series, lines);
  figure.dataset.points = String(points);
  figure.querySelector(".no-data").hidden = points > 0;
  const plot = plots.get(name);
  if (plot) plot.setData(data);
  else plots.set(name, new uPlot(options(lines, target.clientWidth || 300), data, target));
}

export function startCharts(app, root) {
  const plots = new Map();
  const load = async () => {
    let delay = 5000;
    try {
      const response = await fetch(`/api/v1/apps/${encodeURIComponent(app)}/series?window=1h`);
      if (response.status === 401) return location.assign("/login");
      if (response.ok) {
        const series = await response.json();
        for (const figure of root.querySelectorAll("figure[data-chart]")) draw(figure, plots, series);
        root.dataset.loaded = "true";
        delay = Math.max(1000, series.intervalMs);
      }
    } catch {
      // The server restarts or the network is down: try again at the next tick.
    }
    setTimeout(load, delay);
  };
  new ResizeObserver(() => {
    for (const figure of root.querySelectorAll("figure[data-chart]")) {
      const plot = plots.get(figure.dataset.chart);
      const width = figure.querySelector(".plot").clientWidth;
      if (plot && width > 0 && plot.width !== width) plot.setSize({ width, height: HEIGHT });
    }
  }).observe(root);
  void load();
}
