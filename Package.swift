// swift-tools-version:6.0
import PackageDescription

// Arrows point one way: gradcheck-server -> GradCheckService -> {GradCheckReport, HTTPServer, GradCheck};
// GradCheckReport (what a person or a grader reads) -> {GradCheck, JSON, Digest}; HTTPServer -> JSON.
// JSON and Digest depend on nothing. GradCheck (compute) and HTTPServer (sockets, HTTP/1.1) never
// import each other, and the report never imports the server.
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "gradcheck",
    products: [
        .executable(name: "gradcheck-server", targets: ["gradcheck-server"]),
        .executable(name: "gradcheck-bench", targets: ["gradcheck-bench"]),
        .executable(name: "gradcheck-fuzz", targets: ["gradcheck-fuzz"]),
    ],
    dependencies: [
        // Deque: the worker pool's FIFO of waiting jobs.
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // The executable's command line: flags, help, defaults and errors from one declaration each.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "GradCheck", swiftSettings: optimize),
        // The strict JSON reader and writer; it depends on nothing.
        .target(name: "JSON"),
        // SHA-256 and HMAC-SHA256: the report's stylesheet hash and the shard partials' signatures.
        .target(name: "Digest"),
        .target(
            name: "HTTPServer",
            dependencies: ["CEpoll", "JSON", .product(name: "DequeModule", package: "swift-collections")]),
        // <sys/epoll.h>, which Glibc's module leaves out: one readiness set for all connections.
        .systemLibrary(name: "CEpoll"),
        // What a check looks like to a person or a grader: HTML, SVG, Gradescope, the page at GET /.
        .target(name: "GradCheckReport", dependencies: ["GradCheck", "JSON", "Digest"]),
        .target(name: "GradCheckService", dependencies: ["GradCheck", "GradCheckReport", "HTTPServer", "JSON", "Digest"]),
        // The process: command line, log lines, signals. The service library never sees a flag.
        .executableTarget(
            name: "gradcheck-server",
            dependencies: [
                "GradCheckService", "HTTPServer", "JSON", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "gradcheck-bench", dependencies: ["GradCheck"], swiftSettings: optimize),
        // libFuzzer targets (dev/fuzz.sh builds them with -DFUZZING); a plain build is a replay tool.
        .executableTarget(name: "gradcheck-fuzz", dependencies: ["GradCheckService", "HTTPServer", "JSON"]),
        // libcurl, for the integration tests only: they talk to a live server like a real client.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // What the test targets share: fixture files, the one random-network generator, a raw client.
        .target(name: "TestSupport", dependencies: ["GradCheck", "HTTPServer"], path: "Tests/TestSupport"),
        .testTarget(name: "GradCheckTests", dependencies: ["GradCheck", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "DigestTests", dependencies: ["Digest"]),
        .testTarget(name: "GradCheckReportTests", dependencies: ["GradCheckReport", "GradCheck"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(
            name: "GradCheckServiceTests",
            dependencies: ["GradCheckService", "GradCheckReport", "GradCheck", "HTTPServer", "JSON", "TestSupport"]),
        // The executable's own code (`@testable import gradcheck_server`): its flags and log lines.
        .testTarget(name: "GradCheckServerTests", dependencies: ["gradcheck-server", "GradCheckService", "HTTPServer", "JSON"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["GradCheckService", "GradCheck", "HTTPServer", "JSON", "CCurl", "TestSupport", "gradcheck-server"]),
    ],
    swiftLanguageModes: [.v6]
)
