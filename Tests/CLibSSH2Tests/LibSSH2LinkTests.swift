import CLibSSH2
import Testing

/// Proves the system-library target links against Debian's libssh2.
@Test func libssh2ReportsItsVersion() throws {
  let version = try #require(libssh2_version(0))
  let text = String(cString: version)
  #expect(text.split(separator: ".").count >= 2, "unexpected libssh2 version \(text)")
  #expect(text.hasPrefix("1."))
}
