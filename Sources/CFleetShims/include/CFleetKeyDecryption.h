#ifndef CFLEET_KEY_DECRYPTION_H
#define CFLEET_KEY_DECRYPTION_H
// Decrypting passphrase-protected private keys once, in memory, before a scan: libssh2 would
// otherwise run the key's KDF (bcrypt_pbkdf, ~0.2 s of CPU) for every host. The Swift side
// (FleetPortsSSH/OpenSSHKeyDecryption.swift, PEMKeyDecryption.swift) parses the containers;
// these functions are the cryptography only.
#include <stddef.h>
#include <stdint.h>

/// OpenBSD's bcrypt_pbkdf (bcrypt_pbkdf.c, ported): derives `keylen` bytes (at most 1024)
/// from `pass` and `salt` with `rounds` rounds, as ssh-keygen does for `kdf bcrypt`.
/// Returns 0, or -1 for arguments it refuses (empty passphrase or salt, no rounds).
int cfleet_bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt, size_t saltlen, uint8_t *key,
                        size_t keylen, unsigned int rounds);

/// What `cfleet_openssh_decrypt` returns.
enum {
  CFLEET_DECRYPT_OK = 0,
  /// The cipher name is not one this build knows.
  CFLEET_DECRYPT_UNSUPPORTED = -1,
  /// The authentication tag (GCM, Poly1305) does not match: a wrong passphrase or a damaged file.
  CFLEET_DECRYPT_BAD_TAG = -2,
  /// OpenSSL failed, or `len` is not a whole number of the cipher's blocks.
  CFLEET_DECRYPT_FAILED = -3,
};

/// Decrypts `len` bytes of an OpenSSH private key's encrypted section with the cipher ssh-keygen
/// names `cipher` (aes{128,192,256}-{ctr,cbc}, aes{128,256}-gcm@openssh.com,
/// chacha20-poly1305@openssh.com, 3des-cbc), as OpenSSH's cipher_crypt does for sequence
/// number 0 and no additional data. `key` and `iv` hold the lengths that cipher needs (the
/// Swift side's table); `tag` the 16 bytes that follow the section for GCM and
/// ChaCha20-Poly1305 (NULL otherwise). Writes `len` bytes to `out`.
int cfleet_openssh_decrypt(const char *cipher, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len,
                           const uint8_t *tag, uint8_t *out);

/// Decrypts a PEM private key (`Proc-Type: 4,ENCRYPTED` or PKCS#8 `ENCRYPTED PRIVATE KEY`)
/// with `pass` through OpenSSL and writes it back unencrypted: RSA, EC and DSA keys in their
/// traditional PEM form (what `ssh-keygen -m PEM` writes), others as PKCS#8. On success
/// returns 0 and a malloc'd buffer in `*out` (`*out_len` bytes) that the caller frees with
/// `cfleet_secure_free`. On failure returns -1 and OpenSSL's reason in `reason` (NUL-terminated,
/// at most `reason_len` bytes).
int cfleet_pem_decrypt(const uint8_t *pem, size_t pem_len, const char *pass, uint8_t **out, size_t *out_len,
                       char *reason, size_t reason_len);

/// Zeroes `len` bytes at `buffer` in a way the compiler keeps, then frees it.
void cfleet_secure_free(uint8_t *buffer, size_t len);

/// Zeroes `len` bytes at `buffer` in a way the compiler keeps (explicit_bzero).
void cfleet_secure_zero(void *buffer, size_t len);

#endif
