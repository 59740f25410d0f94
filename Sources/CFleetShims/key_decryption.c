// Private-key ciphers through OpenSSL's EVP API, for decrypting a key once per scan (see
// CFleetKeyDecryption.h). The OpenSSH-format ciphers follow OpenSSH's cipher.c and
// cipher-chachapoly-libcrypto.c for what a key file uses: sequence number 0, no AAD.
#include "CFleetKeyDecryption.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfleet_secure_zero(void *buffer, size_t len) {
  if (buffer) explicit_bzero(buffer, len);
}

void cfleet_secure_free(uint8_t *buffer, size_t len) {
  cfleet_secure_zero(buffer, len);
  free(buffer);
}

/// The EVP cipher for an OpenSSH block or stream cipher name; NULL for unknown names and for
/// the two AEAD ciphers handled apart.
static const EVP_CIPHER *plain_cipher(const char *name) {
  if (strcmp(name, "aes128-ctr") == 0) return EVP_aes_128_ctr();
  if (strcmp(name, "aes192-ctr") == 0) return EVP_aes_192_ctr();
  if (strcmp(name, "aes256-ctr") == 0) return EVP_aes_256_ctr();
  if (strcmp(name, "aes128-cbc") == 0) return EVP_aes_128_cbc();
  if (strcmp(name, "aes192-cbc") == 0) return EVP_aes_192_cbc();
  if (strcmp(name, "aes256-cbc") == 0) return EVP_aes_256_cbc();
  if (strcmp(name, "3des-cbc") == 0) return EVP_des_ede3_cbc();
  return NULL;
}

static int decrypt_plain(const EVP_CIPHER *cipher, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len,
                         uint8_t *out) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  int written = 0, final = 0;
  // CBC without padding: OpenSSH pads the section itself (1, 2, 3, …) to the block size.
  int ok = ctx && len <= INT32_MAX && len % (size_t)EVP_CIPHER_get_block_size(cipher) == 0 &&
           EVP_DecryptInit_ex(ctx, cipher, NULL, key, iv) == 1 && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
           EVP_DecryptUpdate(ctx, out, &written, in, (int)len) == 1 &&
           EVP_DecryptFinal_ex(ctx, out + written, &final) == 1 && (size_t)(written + final) == len;
  EVP_CIPHER_CTX_free(ctx);
  return ok ? CFLEET_DECRYPT_OK : CFLEET_DECRYPT_FAILED;
}

/// aes*-gcm@openssh.com: the 12-byte IV as given (OpenSSH's first EVP_CTRL_GCM_IV_GEN), the tag
/// after the section, no AAD.
static int decrypt_gcm(const EVP_CIPHER *cipher, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len,
                       const uint8_t *tag, uint8_t *out) {
  if (!tag || len > INT32_MAX) return CFLEET_DECRYPT_FAILED;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  int written = 0, final = 0;
  int ok = ctx && EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
           EVP_DecryptInit_ex(ctx, NULL, NULL, key, iv) == 1 && EVP_DecryptUpdate(ctx, out, &written, in, (int)len) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1;
  int result = CFLEET_DECRYPT_FAILED;
  if (ok) result = EVP_DecryptFinal_ex(ctx, out + written, &final) == 1 ? CFLEET_DECRYPT_OK : CFLEET_DECRYPT_BAD_TAG;
  EVP_CIPHER_CTX_free(ctx);
  return result;
}

/// ChaCha20 (OpenSSL's 16-byte IV: 32-bit little-endian block counter, then the nonce) with
/// `key`, block counter `counter` and nonce 0 (OpenSSH's sequence number for a key file).
static int chacha20(const uint8_t *key, uint8_t counter, const uint8_t *in, size_t len, uint8_t *out) {
  uint8_t iv[16] = {0};
  iv[0] = counter;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  int written = 0;
  int ok = ctx && len <= INT32_MAX && EVP_EncryptInit_ex(ctx, EVP_chacha20(), NULL, key, iv) == 1 &&
           EVP_EncryptUpdate(ctx, out, &written, in, (int)len) == 1 && (size_t)written == len;
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

/// chacha20-poly1305@openssh.com with no AAD: the Poly1305 key is ChaCha20's block 0 under the
/// main key (the first 32 of the 64 key bytes; the second 32, the length key, is for packet
/// headers only); the tag covers the ciphertext and is checked first; the payload is ChaCha20
/// from block 1.
static int decrypt_chacha20_poly1305(const uint8_t *key, const uint8_t *in, size_t len, const uint8_t *tag,
                                     uint8_t *out) {
  if (!tag) return CFLEET_DECRYPT_FAILED;
  uint8_t zeros[32] = {0}, poly_key[32], expected[16];
  size_t expected_len = 0;
  int result = CFLEET_DECRYPT_FAILED;
  EVP_MAC *mac = NULL;
  EVP_MAC_CTX *mctx = NULL;
  if (!chacha20(key, 0, zeros, sizeof(zeros), poly_key)) goto out;
  mac = EVP_MAC_fetch(NULL, "POLY1305", NULL);
  mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
  if (!mctx || EVP_MAC_init(mctx, poly_key, sizeof(poly_key), NULL) != 1 || EVP_MAC_update(mctx, in, len) != 1 ||
      EVP_MAC_final(mctx, expected, &expected_len, sizeof(expected)) != 1 || expected_len != 16)
    goto out;
  if (CRYPTO_memcmp(expected, tag, 16) != 0) {
    result = CFLEET_DECRYPT_BAD_TAG;
    goto out;
  }
  result = chacha20(key, 1, in, len, out) ? CFLEET_DECRYPT_OK : CFLEET_DECRYPT_FAILED;
out:
  EVP_MAC_CTX_free(mctx);
  EVP_MAC_free(mac);
  explicit_bzero(poly_key, sizeof(poly_key));
  explicit_bzero(expected, sizeof(expected));
  return result;
}

int cfleet_openssh_decrypt(const char *cipher, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len,
                           const uint8_t *tag, uint8_t *out) {
  const EVP_CIPHER *plain = plain_cipher(cipher);
  if (plain) return decrypt_plain(plain, key, iv, in, len, out);
  if (strcmp(cipher, "aes128-gcm@openssh.com") == 0) return decrypt_gcm(EVP_aes_128_gcm(), key, iv, in, len, tag, out);
  if (strcmp(cipher, "aes256-gcm@openssh.com") == 0) return decrypt_gcm(EVP_aes_256_gcm(), key, iv, in, len, tag, out);
  if (strcmp(cipher, "chacha20-poly1305@openssh.com") == 0) return decrypt_chacha20_poly1305(key, in, len, tag, out);
  return CFLEET_DECRYPT_UNSUPPORTED;
}

int cfleet_pem_decrypt(const uint8_t *pem, size_t pem_len, const char *pass, uint8_t **out, size_t *out_len,
                       char *reason, size_t reason_len) {
  *out = NULL;
  *out_len = 0;
  if (reason_len) reason[0] = 0;
  ERR_clear_error();
  BIO *in = pem_len <= INT32_MAX ? BIO_new_mem_buf(pem, (int)pem_len) : NULL;
  // A NULL callback with a non-NULL user pointer: OpenSSL takes it as the passphrase.
  EVP_PKEY *key = in ? PEM_read_bio_PrivateKey(in, NULL, NULL, (void *)pass) : NULL;
  // The secure-heap memory BIO clears its buffer when freed.
  BIO *written = key ? BIO_new(BIO_s_secmem()) : NULL;
  int ok = 0;
  if (written) {
    int type = EVP_PKEY_get_base_id(key);
    int traditional = type == EVP_PKEY_RSA || type == EVP_PKEY_EC || type == EVP_PKEY_DSA;
    ok = traditional ? PEM_write_bio_PrivateKey_traditional(written, key, NULL, NULL, 0, NULL, NULL) == 1
                     : PEM_write_bio_PrivateKey(written, key, NULL, NULL, 0, NULL, NULL) == 1;
  }
  char *data = NULL;
  long length = ok ? BIO_get_mem_data(written, &data) : 0;
  if (ok && length > 0 && (*out = malloc((size_t)length))) {
    memcpy(*out, data, (size_t)length);
    *out_len = (size_t)length;
  } else {
    ok = 0;
    unsigned long error = ERR_peek_last_error();
    if (reason_len) {
      if (error)
        ERR_error_string_n(error, reason, reason_len);
      else
        snprintf(reason, reason_len, "%s", key ? "cannot write the key back" : "not a private key OpenSSL can read");
    }
  }
  BIO_free(written);
  EVP_PKEY_free(key);
  BIO_free(in);
  ERR_clear_error();
  return ok ? 0 : -1;
}
