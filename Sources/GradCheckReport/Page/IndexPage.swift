import Digest

/// `GET /`: the page where a person pastes or uploads a request body (or loads one of the
/// notebook's, `PageExamples`), picks the method, mode and epsilon, and sees the HTML report. Its script and style are served from `/app.js` and
/// `/app.css`, so the page's Content-Security-Policy allows nothing inline at all.
public enum IndexPage {
    /// The report's own stylesheet hash is allowed too: the page parses the report (DOMParser
    /// documents inherit the page's policy), and its inline `<style>` would be reported as blocked.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' \(SHA256.cspSource(ReportStyle.css)); connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    public static let html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>gradcheck: check your backpropagation</title>
        <link rel="stylesheet" href="/app.css">
        <script src="/app.js" defer></script>
        </head>
        <body>
        <header><h1>gradcheck</h1>
        <p>Paste or upload a request body (the same JSON as <code>POST /gradcheck</code>: <code>X</code>, <code>Y</code>,
        <code>parameters</code> and, to check your own backward pass, <code>gradients</code>), then press Check.
        Or start from the "Gradient Checking" notebook's own network: each button loads its body and checks it.</p></header>
        <form id="check-form" novalidate>
        <div class="examples">
        <button type="button" id="load-example">Load the notebook example</button>
        <button type="button" id="load-buggy">Load the notebook's buggy gradients</button></div>
        <div class="field"><label for="body-file">Upload a JSON file</label>
        <input type="file" id="body-file" accept="application/json,.json"></div>
        <div class="field"><label for="body-text">Request body (JSON)</label>
        <textarea id="body-text" rows="12" spellcheck="false" required></textarea></div>
        <div class="options">
        <div class="field"><label for="method">Method</label>
        <select id="method"><option value="">as in the body (central)</option><option value="central">central</option><option value="complex-step">complex-step</option></select></div>
        <div class="field"><label for="mode">Mode</label>
        <select id="mode"><option value="">as in the body (full)</option><option value="full">full</option><option value="sample">sample</option><option value="directional">directional</option></select></div>
        <div class="field"><label for="epsilon">Epsilon</label>
        <input type="text" id="epsilon" placeholder="default (1e-7 central)" autocomplete="off"></div>
        </div>
        <button type="submit" id="check">Check</button>
        <p id="status" role="status" aria-live="polite"></p>
        </form>
        <div id="error" class="error" role="alert" hidden></div>
        <div id="result" aria-live="polite"></div>
        </body></html>

        """
}
