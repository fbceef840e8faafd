import Foundation
import TestSupport
import Testing

@testable import GradCheckReport
@testable import GradCheckService

/// The page's "load the notebook example" buttons: the bodies they load are the example files,
/// the page has the buttons, and its script carries the bodies (nothing inline in the page).
@Suite struct PageExampleTests {
    private static func parsed(_ text: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    @Test(arguments: [
        (PageExamples.notebook, "notebook.json"), (PageExamples.notebookBuggy, "notebook-buggy-full.json"),
    ])
    func bodiesAreTheExampleFiles(_ embedded: String, _ file: String) throws {
        let onDisk = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.examples.appendingPathComponent(file))) as? NSDictionary)
        #expect(try Self.parsed(embedded) == onDisk, "rerun dev/generate-page-examples.py after changing \(file)")
    }

    @Test func pageHasTheButtonsAndTheScriptTheBodies() throws {
        #expect(IndexPage.html.contains(#"<button type="button" id="load-example">Load the notebook example</button>"#))
        #expect(IndexPage.html.contains(#"<button type="button" id="load-buggy">Load the notebook's buggy gradients</button>"#))
        #expect(!IndexPage.html.contains("<script>") && !IndexPage.html.contains("onclick"))
        #expect(AppScript.javascript.contains(PageExamples.notebook))
        #expect(AppScript.javascript.contains(PageExamples.notebookBuggy))
        #expect(AppScript.javascript.contains(#"getElementById(id).addEventListener("click""#))
    }

    @Test func theButtonsBodiesPassAndFailAsTheNotebookSays() throws {
        let api = GradCheckAPI()
        let fixed = try #require(
            JSONSerialization.jsonObject(with: Data(api.gradcheck(Array(PageExamples.notebook.utf8)).body)) as? [String: Any])
        #expect(fixed["passed"] as? Bool == true)
        let buggy = try #require(
            JSONSerialization.jsonObject(with: Data(api.gradcheck(Array(PageExamples.notebookBuggy.utf8)).body)) as? [String: Any])
        #expect(buggy["passed"] as? Bool == false)
        #expect(buggy["failed"] as? [String] == ["b1", "W2"])
        #expect((buggy["root_causes"] as? [Any])?.count == 2)
    }
}
