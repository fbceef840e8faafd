import Foundation
import GradCheck
import Testing

@testable import GradCheckService

/// The `only` selection is work the request does before its check: the two together are held to
/// the one budget, so a selection and a check that each fit it do not pass when their sum does not.
@Suite struct OnlySelectionBudgetTests {
    /// The notebook's buggy gradients: a check that runs answers 200 (with its verdict).
    static func body(only: [String]) throws -> [UInt8] {
        var body = try #require(try JSONSerialization.jsonObject(with: GradCheckAPITests.buggyFullDict) as? [String: Any])
        body["only"] = only
        return [UInt8](try JSONSerialization.data(withJSONObject: body))
    }

    static func status(budget: Double, only: [String]) throws -> Int {
        GradCheckAPI(limits: ComputeLimits(maxOperations: budget)).gradcheck(try body(only: only)).status
    }

    /// The least budget (to within 1 operation) under which `only` is checked: bisection over
    /// statuses, from a budget that refuses to one that runs.
    static func leastBudget(only: [String]) throws -> Double {
        var refused = 1.0
        var runs = 1e9
        try #require(try status(budget: runs, only: only) == 200)
        while runs - refused > 1 {
            let middle = ((refused + runs) / 2).rounded(.down)
            if try status(budget: middle, only: only) == 200 { runs = middle } else { refused = middle }
        }
        return runs
    }

    @Test func theSelectionCountsAgainstTheBudgetWithTheCheck() throws {
        // The same tensor selected by one name (one lookup), or by 1,000 '*' patterns besides it.
        let byName = try Self.leastBudget(only: ["W1"])
        let starred = ["W1"] + [String](repeating: "W1*", count: 1000)
        let selection = GradientCheckOptions.selectionOperations(starred, tensors: 6)
        #expect(selection > 1000)
        // Each part alone fits a budget of byName + 1 (the check) or selection (the matching)...
        #expect(try Self.status(budget: byName + 1, only: starred) == 422)
        // ...but the request needs both.
        #expect(try Self.leastBudget(only: starred) >= byName + selection - 2)
    }
}
