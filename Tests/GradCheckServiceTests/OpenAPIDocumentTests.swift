import GradCheck
import HTTPServer
import JSON
import Testing

@testable import GradCheckService

/// Keeps the served OpenAPI document true: it parses, names every endpoint, and its request
/// schemas list exactly the fields and choices the request reader accepts.
@Suite struct OpenAPIDocumentTests {
    private let document: JSONObject

    init() throws {
        guard case .object(let object) = try JSONReader.parse(OpenAPIDocument.bytes) else {
            throw RequestError.invalidBody("the OpenAPI document is not an object")
        }
        document = object
    }

    private func object(_ value: JSONValue?, _ path: String) throws -> JSONObject {
        guard case .object(let object) = value else { throw RequestError.invalid(path, "not an object") }
        return object
    }

    private func schema(_ name: String) throws -> JSONObject {
        try object(try object(try object(document["components"], "components")["schemas"], "schemas")[name], name)
    }

    private func enumValues(_ schemaName: String, _ property: String) throws -> [String] {
        let property = try object(try object(try schema(schemaName)["properties"], "properties")[property], property)
        guard case .array(let values) = property["enum"] else { return [] }
        return values.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// A browser asks for it unprompted; it is answered 204 so consoles stay clean, and is no
    /// part of the API.
    static let undocumented: Set<HTTPRouter.RouteKey> = [HTTPRouter.RouteKey(method: .get, path: "/favicon.ico")]

    /// The route table of the router the server is built with, operations routes included.
    static func servedRoutes() -> Set<HTTPRouter.RouteKey> {
        let gauges = HTTPServerGauges()
        let memory = MemoryBudget(limit: 1 << 20)
        let operations = GradCheckApplication.Operations(
            gauges: gauges, memory: memory, metrics: ServiceMetrics(),
            readiness: Readiness(gauges: gauges, memory: memory, queueCapacity: 1))
        return GradCheckApplication.router(api: GradCheckAPI(), operations: operations).routeTable
    }

    /// /readyz's documented reasons are exactly those `Readiness` gives.
    @Test func readinessReasonsAreTheOnesServed() throws {
        let readyz = try object(try object(try object(document["paths"], "paths")["/readyz"], "/readyz")["get"], "get")
        let unavailable = try object(try object(readyz["responses"], "responses")["503"], "503")
        let content = try object(try object(unavailable["content"], "content")["application/json"], "json")
        let properties = try object(try object(content["schema"], "schema")["properties"], "properties")
        let reason = try object(properties["reason"], "reason")
        guard case .array(let values) = reason["enum"] else {
            Issue.record("no enum for reason")
            return
        }
        let documented = Set(values.compactMap { if case .string(let s) = $0 { s } else { nil } })
        #expect(documented == Set(Readiness.NotReady.allCases.map(\.rawValue)))
    }

    @Test func isOpenAPI3AndMentionsEveryEndpoint() throws {
        guard case .string(let version) = document["openapi"] else {
            Issue.record("no openapi version")
            return
        }
        #expect(version.hasPrefix("3."))
        let paths = try object(document["paths"], "paths")
        // The document names exactly the routes the service's router answers.
        var documented: Set<HTTPRouter.RouteKey> = []
        for (path, operations) in paths.members {
            for method in try object(operations, path).keys {
                documented.insert(HTTPRouter.RouteKey(method: HTTPMethod(method.uppercased()), path: path))
            }
        }
        #expect(documented == Self.servedRoutes().subtracting(Self.undocumented))
        for path in ["/forward", "/backward", "/gradcheck", "/gradcheck/merge"] {
            let post = try object(try object(paths[path], path)["post"], "\(path).post")
            let responses = try object(post["responses"], "responses")
            #expect(Set(responses.keys).isSuperset(of: ["200", "400", "422"]), "\(path)")
        }
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/", "/app.js", "/app.css"] {
            #expect(try object(paths[path], path)["get"] != nil, "\(path)")
        }
        // /gradcheck documents every format ReportFormat can answer, and the 406.
        let gradcheck = try object(try object(paths["/gradcheck"], "/gradcheck")["post"], "post")
        let responses = try object(gradcheck["responses"], "responses")
        let ok = try object(try object(responses["200"], "200")["content"], "content")
        #expect(Set(ok.keys) == Set(ReportFormat.allCases.map(\.rawValue)))
        #expect(responses["406"] != nil)
    }

    @Test func requestSchemasListExactlyTheFieldsTheReaderAccepts() throws {
        let network = try object(try schema("NetworkRequest")["properties"], "properties")
        #expect(Set(network.keys) == Set(RequestField.network.map(\.rawValue)))
        let scalar = try object(try schema("ScalarRequest")["properties"], "properties")
        #expect(Set(scalar.keys) == Set(RequestField.scalar.map(\.rawValue)))
        let layer = try object(try schema("LayerRequest")["properties"], "properties")
        #expect(Set(layer.keys) == Set(RequestField.layerCheck.map(\.rawValue)))
        let layerNetwork = try object(try schema("LayerNetworkRequest")["properties"], "properties")
        #expect(Set(layerNetwork.keys) == Set(RequestField.layerNetwork.map(\.rawValue)))
        #expect(
            Set(network.keys).union(scalar.keys).union(layer.keys).union(layerNetwork.keys) == Set(RequestField.allCases.map(\.rawValue)))
        #expect(try schema("LayerRequest")["additionalProperties"] == .bool(false))
        #expect(try schema("LayerNetworkRequest")["additionalProperties"] == .bool(false))
        let shard = try object(try object(network["shard"], "shard")["properties"], "shard.properties")
        #expect(Set(shard.keys) == Set(ShardField.allCases.map(\.rawValue)))
        #expect(try schema("NetworkRequest")["additionalProperties"] == .bool(false))
        #expect(try schema("ScalarRequest")["additionalProperties"] == .bool(false))
    }

    @Test func choicesMatchTheCoreEnums() throws {
        #expect(try enumValues("NetworkRequest", "activation") == Activation.allCases.map(\.rawValue))
        #expect(try enumValues("NetworkRequest", "output") == OutputLayer.allCases.map(\.rawValue))
        #expect(try enumValues("NetworkRequest", "method") == DifferenceMethod.allCases.map(\.rawValue))
        #expect(try enumValues("ScalarRequest", "method") == DifferenceMethod.allCases.map(\.rawValue))
        #expect(try enumValues("NetworkRequest", "dtype") == Precision.allCases.map(\.rawValue))
        #expect(try enumValues("NetworkRequest", "mode") == GradientCheckOptions.Mode.Kind.allCases.map(\.rawValue))
    }

    /// The layer types the document lists are the catalog's, per convention; so are the
    /// conventions, the losses and the layer root causes' kinds.
    @Test func layerChoicesMatchTheCatalog() throws {
        #expect(try enumValues("LayerRequest", "convention") == LayerConvention.allCases.map(\.rawValue))
        #expect(try enumValues("LayerNetworkRequest", "loss") == NetworkLoss.allCases.map(\.rawValue))
        let layer = try object(try object(try schema("LayerRequest")["properties"], "properties")["layer"], "layer")
        let type = try object(try object(layer["properties"], "layer.properties")["type"], "type")
        guard case .array(let types) = type["enum"], case .string(let description) = type["description"] else {
            Issue.record("layer.type has no enum or description")
            return
        }
        let names = types.compactMap { if case .string(let name) = $0 { name } else { nil } }
        #expect(Set(names) == Set(LayerCatalog.all.map(\.name)))
        for convention in LayerConvention.allCases where !LayerCatalog.names(convention).isEmpty {
            #expect(description.contains("\(convention.rawValue): " + LayerCatalog.names(convention).joined(separator: ", ")))
        }
        let cause = try object(try schema("LayerRootCause")["properties"], "properties")
        guard case .array(let kinds) = try object(cause["kind"], "kind")["enum"] else {
            Issue.record("LayerRootCause.kind has no enum")
            return
        }
        #expect(kinds == LayerSlipKind.allCases.map { .string($0.rawValue) })
        let defaults = try object(try schema("LayerRequest")["properties"], "properties")
        #expect(try object(defaults["convention"], "convention")["default"] == .string(RequestDefaults.convention.rawValue))
        let network = try object(try schema("LayerNetworkRequest")["properties"], "properties")
        #expect(try object(network["loss"], "loss")["default"] == .string(RequestDefaults.loss.rawValue))
    }

    @Test func defaultsAndBoundsMatchTheReader() throws {
        let network = try object(try schema("NetworkRequest")["properties"], "properties")
        func member(_ field: RequestField, _ name: String) throws -> JSONValue? {
            try object(network[field.rawValue], field.rawValue)[name]
        }
        #expect(try member(.threshold, "default") == .number(RequestDefaults.threshold))
        #expect(try member(.lambd, "default") == .number(RequestDefaults.lambd))
        #expect(try member(.samples, "default") == .number(Double(RequestDefaults.samples)))
        #expect(try member(.directions, "default") == .number(Double(RequestDefaults.directions)))
        #expect(try member(.seed, "default") == .number(Double(RequestDefaults.seed)))
        #expect(try member(.samples, "maximum") == .number(Double(RequestDefaults.maxCount)))
        #expect(try member(.directions, "maximum") == .number(Double(RequestDefaults.maxCount)))
        #expect(try member(.mode, "default") == .string(RequestDefaults.mode.rawValue))
        #expect(try member(.method, "default") == .string(RequestDefaults.method.rawValue))
        #expect(try member(.dtype, "default") == .string(RequestDefaults.precision.rawValue))
        #expect(try member(.activation, "default") == .string(RequestDefaults.activation.rawValue))
        #expect(try member(.output, "default") == .string(RequestDefaults.output.rawValue))
    }

    @Test func answerChoicesMatchTheCoreEnums() throws {
        #expect(try enumValues("GradcheckResult", "method") == DifferenceMethod.allCases.map(\.rawValue))
        #expect(try enumValues("GradcheckResult", "mode") == GradientCheckOptions.Mode.Kind.allCases.map(\.rawValue))
        #expect(try enumValues("GradcheckResult", "dtype") == Precision.allCases.map(\.rawValue))
        #expect(try enumValues("ShardPartial", "method") == DifferenceMethod.allCases.map(\.rawValue))
        #expect(try enumValues("ShardPartial", "method_used") == DifferenceMethod.allCases.map(\.rawValue))
        #expect(try enumValues("ShardPartial", "dtype") == Precision.allCases.map(\.rawValue))
        let rootCauses = try object(try object(try schema("GradcheckResult")["properties"], "properties")["root_causes"], "root_causes")
        let rootCause = try object(try object(rootCauses["items"], "items")["properties"], "properties")
        guard case .array(let kinds) = try object(rootCause["kind"], "kind")["enum"] else {
            Issue.record("root_causes.items.kind has no enum")
            return
        }
        #expect(kinds == RootCause.Kind.allCases.map { .string($0.rawValue) })
    }

    @Test func everyReferenceResolves() throws {
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                for member in object.members {
                    if member.key == "$ref", case .string(let target) = member.value { references.append(target) }
                    collect(member.value)
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(.object(document))
        #expect(references.count > 10)
        for reference in Set(references) {
            #expect(reference.hasPrefix("#/components/schemas/"))
            #expect(throws: Never.self, "\(reference)") { try schema(String(reference.dropFirst("#/components/schemas/".count))) }
        }
    }
}
