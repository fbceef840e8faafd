// swift-tools-version:6.0
import PackageDescription

// Arrows point one way: gradcheck-server -> GradCheckService -> {HTTPServer, GradCheck}.
// GradCheck (compute) and HTTPServer (sockets, HTTP/1.1) never import each other.
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "gradcheck",
    products: [
        .executable(name: "gradcheck-server", targets: ["gradcheck-server"]),
        .executable(name: "gradcheck-bench", targets: ["gradcheck-bench"]),
        .executable(name: "gradcheck-fuzz", targets: ["gradcheck-fuzz"]),
    ],
    dependencies: [
        // The executable's command line: flags, help, defaults and errors from one declaration each.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .target(name: "GradCheck", swiftSettings: optimize),
        .target(name: "HTTPServer", dependencies: ["CEpoll"]),
        // <sys/epoll.h>, which Glibc's module leaves out: one readiness set for all connections.
        .systemLibrary(name: "CEpoll"),
        .target(name: "GradCheckService", dependencies: ["GradCheck", "HTTPServer"]),
        // The process: command line, log lines, signals. The service library never sees a flag.
        .executableTarget(
            name: "gradcheck-server",
            dependencies: ["GradCheckService", "HTTPServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "gradcheck-bench", dependencies: ["GradCheck"], swiftSettings: optimize),
        // libFuzzer targets (scripts/fuzz.sh builds them with -DFUZZING); a plain build is a replay tool.
        .executableTarget(name: "gradcheck-fuzz", dependencies: ["GradCheckService", "HTTPServer"]),
        // libcurl, for the integration tests only: they talk to a live server like a real client.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // What the test targets share: fixture files, the one random-network generator, a raw client.
        .target(name: "TestSupport", dependencies: ["GradCheck", "HTTPServer"], path: "Tests/TestSupport"),
        .testTarget(name: "GradCheckTests", dependencies: ["GradCheck", "TestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(name: "GradCheckServiceTests", dependencies: ["GradCheckService", "GradCheck", "HTTPServer", "TestSupport"]),
        // The executable's own code (`@testable import gradcheck_server`): its flags and log lines.
        .testTarget(name: "GradCheckServerTests", dependencies: ["gradcheck-server", "GradCheckService", "HTTPServer"]),
        .testTarget(
            name: "IntegrationTests", dependencies: ["GradCheckService", "GradCheck", "HTTPServer", "CCurl", "TestSupport", "gradcheck-server"]),
    ],
    swiftLanguageModes: [.v6]
)
