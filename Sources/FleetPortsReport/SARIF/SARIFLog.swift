/// The subset of SARIF 2.1.0 fleetports writes, as Codable values (property names as the
/// standard spells them).
struct SARIFLog: Encodable {
  var schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
  var version = "2.1.0"
  var runs: [Run]

  enum CodingKeys: String, CodingKey {
    case schema = "$schema"
    case version, runs
  }

  struct Run: Encodable {
    var tool: Tool
    var invocations: [Invocation]
    var results: [Result]
    var properties: [String: String]
  }

  struct Tool: Encodable { var driver: Driver }

  struct Driver: Encodable {
    var name: String
    var version: String
    var semanticVersion: String?
    var rules: [Rule]
  }

  struct Rule: Encodable {
    var id: String
    var name: String
    var shortDescription: Message
    var defaultConfiguration: Configuration
    var properties: [String: String]
  }

  struct Configuration: Encodable { var level: String }

  struct Message: Encodable { var text: String }

  struct Invocation: Encodable {
    var executionSuccessful: Bool
    var startTimeUtc: String?
    var endTimeUtc: String?
    var toolExecutionNotifications: [Notification]
  }

  struct Notification: Encodable {
    var level: String
    var message: Message
    var locations: [Location]?
  }

  struct Result: Encodable {
    var ruleId: String
    var ruleIndex: Int
    var level: String
    var message: Message
    var locations: [Location]
    var partialFingerprints: [String: String]
    var suppressions: [Suppression]?
    var properties: [String: String]
  }

  struct Location: Encodable { var logicalLocations: [LogicalLocation] }

  struct LogicalLocation: Encodable {
    var name: String
    var fullyQualifiedName: String
    var kind: String
  }

  struct Suppression: Encodable {
    var kind: String
    var status: String
    var justification: String
    var properties: [String: String]?
  }
}
