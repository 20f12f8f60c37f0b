/** The report's stylesheet, inlined into every page. */
export const REPORT_STYLE = `
:root{--ink:#1d2733;--muted:#5b6b7c;--line:#dfe5ec;--accent:#2f6fb0;--bad:#c2412d;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{padding:18px 28px;background:#14324f;color:#fff}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#c9d7e6;font-size:13px}
main{max-width:1100px;margin:0 auto;padding:12px 20px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:16px 0}
h2{font-size:17px;margin:0 0 10px}h2 small{color:var(--muted);font-weight:normal}h3{font-size:14px;margin:16px 0 6px;color:var(--muted)}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:12px}.card{flex:1 1 140px;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.card b{display:block;font-size:24px}.card span{color:var(--muted)}.card.bad b{color:var(--bad)}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg);font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
#failure-examples{table-layout:fixed}#failure-examples td{overflow-wrap:anywhere}
#failure-examples th:nth-child(1){width:13%}#failure-examples th:nth-child(2){width:7%}#failure-examples th:nth-child(3){width:17%}
#failure-examples th:nth-child(4){width:14%}#failure-examples th:nth-child(5){width:29%}#failure-examples th:nth-child(6){width:20%}
.empty{color:var(--muted)}.warn{color:var(--bad)}.caption{color:var(--muted);margin:0 0 8px}
#map{width:100%;height:auto;display:block}
#map .sphere{fill:#eaf2fa;stroke:#b9c9da}#map .graticule{fill:none;stroke:#d7e3ef;stroke-width:.5}
#map .land{fill:#d9dfd3;stroke:#aab3a3;stroke-width:.5}
#map .footprint{fill:rgba(214,96,28,.35);stroke:#c2551a;stroke-width:.6}
#map .extent{fill:rgba(47,111,176,.08);stroke:var(--accent);stroke-width:1.2;stroke-dasharray:4 3}
.legend{color:var(--muted);font-size:12px}.sw{display:inline-block;width:12px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
.sw.fp{background:rgba(214,96,28,.5);border:1px solid #c2551a}.sw.ex{border:1.5px dashed var(--accent)}
svg.bars{display:block;margin:6px 0 10px;font-size:12px}svg.bars rect{fill:var(--accent)}svg.bars text{fill:var(--ink)}
#failures-chart rect{fill:var(--bad)}
svg.rates{display:block;margin:6px 0 10px;font-size:11px}svg.rates text{fill:var(--muted)}svg.rates .axis{stroke:#aab3bd}
svg.rates .rate{fill:none;stroke-width:1.6}.s0{stroke:var(--accent)}.s1{stroke:#c2551a}.s2{stroke:#3c8d40}.s3{stroke:#7a4fb0}
`;
