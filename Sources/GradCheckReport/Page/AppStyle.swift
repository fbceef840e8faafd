/// `GET /app.css`: the page's layout (narrow screens first) followed by the report's stylesheet.
public enum AppStyle {
    public static let css = """
        body{font-family:system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:62rem;line-height:1.4}
        .field{display:flex;flex-direction:column;margin:.5rem 0}
        label{font-weight:600;margin-bottom:.2rem}
        textarea{width:100%;box-sizing:border-box;font-family:ui-monospace,monospace;font-size:.85rem}
        .options{display:flex;flex-wrap:wrap;gap:0 1rem}
        .options .field{flex:1 1 10rem}
        select,input,button,textarea{font-size:1rem}
        button{padding:.5rem 1.5rem;margin:.5rem 0}
        .examples{display:flex;flex-wrap:wrap;gap:0 .75rem}
        .examples button{padding:.4rem .9rem}
        :focus-visible{outline:3px solid #1565c0;outline-offset:2px}
        .error{background:#fdecea;border:2px solid #c62828;padding:.6rem;white-space:pre-wrap;overflow-wrap:anywhere}

        """ + ReportStyle.css
}
