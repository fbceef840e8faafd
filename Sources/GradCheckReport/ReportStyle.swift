/// The report's stylesheet: inline in the standalone HTML report (allowed by its hash in the
/// report's Content-Security-Policy) and part of `/app.css` for the page that shows reports.
enum ReportStyle {
    static let css = """
        .report{font-family:system-ui,sans-serif;line-height:1.4;color:#1a1a1a;max-width:60rem}
        .report h1{font-size:1.5rem}.report h2{font-size:1.2rem;margin-top:1.5rem}
        .report h3{font-size:1.05rem;margin:0 0 .4rem}
        .verdict{padding:.6rem .8rem;border-radius:.3rem;border:2px solid}
        .verdict.pass{background:#e8f5e9;border-color:#2e7d32}.verdict.fail{background:#fdecea;border-color:#c62828}
        .status{font-weight:bold;padding:0 .4rem;border-radius:.2rem}
        .status.right{background:#2e7d32;color:#fff}.status.wrong{background:#c62828;color:#fff}
        .summary,.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}
        .summary dt,.facts dt{font-weight:600}.summary dd,.facts dd{margin:0;overflow-wrap:anywhere}
        .tensor{border-top:1px solid #ccc;padding:.8rem 0;display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
        .tensor .picture{max-width:100%;overflow-x:auto}
        .tensor .facts{flex:1 1 16rem}
        .heatmap,.legend{max-width:100%;height:auto}
        .note{color:#444;font-style:italic}
        """
}
