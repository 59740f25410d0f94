// The C side of CFleetShims. Most shims are static inline functions in the header; the
// Ed25519 signer lives here because it needs OpenSSL's EVP API, the thread name because it
// needs _GNU_SOURCE.
#include "CFleetShims.h"
#include <openssl/evp.h>
#include <stdlib.h>

int cfleet_thread_set_name(pthread_t thread, const char *name) { return pthread_setname_np(thread, name); }

void *cfleet_ed25519_key_new(const unsigned char *seed32) {
  return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed32, 32);
}

void cfleet_ed25519_key_free(void *key) { EVP_PKEY_free((EVP_PKEY *)key); }

// libssh2 (userauth.c) wraps what this returns as `string method, string signature`
// itself, so the callback hands back the raw 64-byte signature, allocated with malloc
// because libssh2 frees it with its default allocator.
int cfleet_ed25519_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len,
                        const unsigned char *data, size_t data_len, void **abstract) {
  (void)session;
  EVP_PKEY *key = (EVP_PKEY *)*abstract;
  unsigned char *raw = malloc(64);
  if (!raw) return -1;
  size_t raw_len = 64;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
           EVP_DigestSign(ctx, raw, &raw_len, data, data_len) == 1 && raw_len == 64;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    free(raw);
    return -1;
  }
  *sig = raw;
  *sig_len = raw_len;
  return 0;
}
