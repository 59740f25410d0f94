import NIOSSL
import PostgresNIO

/// libpq's `sslmode` as postgres-nio's TLS setting (NIOSSL, BoringSSL underneath).
enum PostgresTLS {
  /// `disable`: none; `prefer`/`require`: TLS without checking the certificate (libpq's
  /// meaning when no root certificate is configured); `verify-ca`: the chain checked against
  /// `sslrootcert`; `verify-full`: that and the host name.
  /// - Throws: `PostgresURLError` when the root certificates cannot be read.
  static func configuration(_ url: PostgresURL, home: String) throws(PostgresURLError) -> PostgresConnection.Configuration.TLS {
    var tls = TLSConfiguration.makeClientConfiguration()
    switch url.sslMode {
    case .disable:
      return .disable
    case .prefer, .require:
      tls.certificateVerification = .none
    case .verifyCA, .verifyFull:
      tls.certificateVerification = url.sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
      let root = url.sslRootCert ?? "\(home)/.postgresql/root.crt"
      if root != "system" {
        do {
          tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root))
        } catch {
          throw PostgresURLError("sslmode=\(url.sslMode.rawValue) needs the CA certificate \(root) (sslrootcert=…): \(error)")
        }
      }
    }
    let context: NIOSSLContext
    do {
      context = try NIOSSLContext(configuration: tls)
    } catch {
      throw PostgresURLError("TLS could not be set up: \(error)")
    }
    return url.sslMode == .prefer ? .prefer(context) : .require(context)
  }
}
