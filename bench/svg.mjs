// A small SVG histogram of stop latencies (no dependencies).
export function histogramSvg(title, samples, { width = 640, height = 240, bins = 30 } = {}) {
  const values = samples.map((s) => s.ms)
  const max = Math.max(...values, 1e-3)
  const counts = new Array(bins).fill(0)
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v / max) * bins))]++
  const top = Math.max(...counts, 1)
  const pad = 40
  const bw = (width - 2 * pad) / bins
  const bars = counts.map((c, i) => {
    const h = ((height - 2 * pad) * c) / top
    return `<rect x="${(pad + i * bw).toFixed(1)}" y="${(height - pad - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a7bd0"/>`
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<text x="${pad}" y="20">${title} (n=${values.length})</text>
${bars.join('\n')}
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#333"/>
<text x="${pad}" y="${height - pad + 16}">0 ms</text>
<text x="${width - pad}" y="${height - pad + 16}" text-anchor="end">${max.toFixed(2)} ms after the deadline</text>
<text x="${pad - 4}" y="${pad}" text-anchor="end">${top}</text>
</svg>
`
}
