/// `GET /app.js`: the page's behaviour. The example buttons load `PageExamples`' bodies and check
/// them. It sends the body to `POST /gradcheck` with
/// `Accept: text/html` and inserts the report's `<main>`; a problem answer shows its `detail` as
/// text. Nothing from the answer is evaluated: the report is parsed by DOMParser (its scripts,
/// if any, never run) and the error is set with textContent.
public enum AppScript {
    public static let javascript = #"""
        "use strict";
        (function () {
          const form = document.getElementById("check-form");
          const text = document.getElementById("body-text");
          const file = document.getElementById("body-file");
          const status = document.getElementById("status");
          const error = document.getElementById("error");
          const result = document.getElementById("result");
          const button = document.getElementById("check");

          // The notebook's bodies (scripts/examples/notebook.json and notebook-buggy-full.json):
          // a button puts one in the text area and checks it, so a first visit shows a report.
          const examples = {
            "load-example": { name: "the notebook's example (the service checks its own backward)", body: \#(PageExamples.notebook) },
            "load-buggy": { name: "the notebook's buggy gradients (its backward_propagation_n dict)", body: \#(PageExamples.notebookBuggy) }
          };
          Object.keys(examples).forEach(function (id) {
            document.getElementById(id).addEventListener("click", function () {
              text.value = JSON.stringify(examples[id].body, null, 1);
              status.textContent = "Loaded " + examples[id].name + ".";
              form.requestSubmit();
            });
          });

          file.addEventListener("change", async function () {
            if (file.files.length === 0) return;
            text.value = await file.files[0].text();
            status.textContent = "Loaded " + file.files[0].name + ".";
          });

          function showError(message) {
            error.textContent = message;
            error.hidden = false;
            result.replaceChildren();
          }

          // The options override the body's own; an unparsable body is sent as it is, so the
          // API's own problem detail says what is wrong with it.
          function requestBody() {
            let body;
            try { body = JSON.parse(text.value); } catch (e) { return text.value; }
            if (body === null || typeof body !== "object" || Array.isArray(body)) return text.value;
            const method = document.getElementById("method").value;
            const mode = document.getElementById("mode").value;
            const epsilon = document.getElementById("epsilon").value.trim();
            if (method) body.method = method;
            if (mode) body.mode = mode;
            if (epsilon) {
              const value = Number(epsilon);
              body.epsilon = Number.isFinite(value) ? value : epsilon;
            }
            return JSON.stringify(body);
          }

          form.addEventListener("submit", async function (event) {
            event.preventDefault();
            error.hidden = true;
            button.disabled = true;
            status.textContent = "Checking...";
            try {
              const response = await fetch("/gradcheck", {
                method: "POST",
                headers: { "Content-Type": "application/json", "Accept": "text/html" },
                body: requestBody()
              });
              const answer = await response.text();
              if (!response.ok) {
                let detail = "HTTP " + response.status;
                try { detail = JSON.parse(answer).detail || detail; } catch (e) { /* not JSON */ }
                status.textContent = "The check could not run.";
                showError(detail);
                return;
              }
              const report = new DOMParser().parseFromString(answer, "text/html").getElementById("report");
              result.replaceChildren(document.importNode(report, true));
              status.textContent = "Done.";
              result.querySelector("#verdict").setAttribute("tabindex", "-1");
              result.querySelector("#verdict").focus();
            } catch (e) {
              status.textContent = "The check could not run.";
              showError("could not reach the server: " + e.message);
            } finally {
              button.disabled = false;
            }
          });
        })();

        """#
}
