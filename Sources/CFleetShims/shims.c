// The C side of CFleetShims. Most shims are static inline functions in the header; the
// Ed25519 and RSA signers live here because they need OpenSSL's EVP API, the thread name
// because it needs _GNU_SOURCE.
#include "CFleetShims.h"
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <time.h>

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

// RSA. An OpenSSH-format key gives n, e, d, iqmp, p and q; OpenSSL also wants d mod (p-1)
// and d mod (q-1), computed here. Returns an EVP_PKEY, or NULL when the parts do not make a key.
void *cfleet_rsa_key_from_parts(const unsigned char *n, size_t n_len, const unsigned char *e, size_t e_len,
                                const unsigned char *d, size_t d_len, const unsigned char *iqmp, size_t iqmp_len,
                                const unsigned char *p, size_t p_len, const unsigned char *q, size_t q_len) {
  BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_bin2bn(e, (int)e_len, NULL);
  BIGNUM *bn_d = BN_bin2bn(d, (int)d_len, NULL), *bn_iqmp = BN_bin2bn(iqmp, (int)iqmp_len, NULL);
  BIGNUM *bn_p = BN_bin2bn(p, (int)p_len, NULL), *bn_q = BN_bin2bn(q, (int)q_len, NULL);
  BIGNUM *dmp1 = BN_new(), *dmq1 = BN_new(), *p1 = BN_new(), *q1 = BN_new();
  BN_CTX *bn_ctx = BN_CTX_new();
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *key = NULL;
  int ok = bn_n && bn_e && bn_d && bn_iqmp && bn_p && bn_q && dmp1 && dmq1 && p1 && q1 && bn_ctx && bld &&
           BN_sub(p1, bn_p, BN_value_one()) && BN_sub(q1, bn_q, BN_value_one()) &&
           BN_mod(dmp1, bn_d, p1, bn_ctx) && BN_mod(dmq1, bn_d, q1, bn_ctx) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, bn_d) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, bn_p) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, bn_q) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, bn_iqmp) &&
           (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
           (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
           EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_CTX_free(bn_ctx);
  BN_free(bn_n), BN_free(bn_e), BN_clear_free(bn_d), BN_clear_free(bn_iqmp), BN_clear_free(bn_p), BN_clear_free(bn_q);
  BN_clear_free(dmp1), BN_clear_free(dmq1), BN_clear_free(p1), BN_clear_free(q1);
  if (!ok) {
    EVP_PKEY_free(key);
    return NULL;
  }
  return key;
}

// A PEM RSA key (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8 `BEGIN PRIVATE KEY`), unencrypted:
// no passphrase callback, so an encrypted key fails instead of prompting.
void *cfleet_rsa_key_from_pem(const char *pem, size_t pem_len) {
  BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
  if (!bio) return NULL;
  EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
  BIO_free(bio);
  if (key && !EVP_PKEY_is_a(key, "RSA")) {
    EVP_PKEY_free(key);
    return NULL;
  }
  return key;
}

// The public numbers, big-endian without sign byte, into buffers of `*n_len` / `*e_len` bytes
// (updated to what was written). 0 on success.
int cfleet_rsa_public(void *key, unsigned char *n, size_t *n_len, unsigned char *e, size_t *e_len) {
  BIGNUM *bn_n = NULL, *bn_e = NULL;
  int ok = EVP_PKEY_get_bn_param((EVP_PKEY *)key, OSSL_PKEY_PARAM_RSA_N, &bn_n) == 1 &&
           EVP_PKEY_get_bn_param((EVP_PKEY *)key, OSSL_PKEY_PARAM_RSA_E, &bn_e) == 1 &&
           (size_t)BN_num_bytes(bn_n) <= *n_len && (size_t)BN_num_bytes(bn_e) <= *e_len;
  if (ok) {
    *n_len = (size_t)BN_bn2bin(bn_n, n);
    *e_len = (size_t)BN_bn2bin(bn_e, e);
  }
  BN_free(bn_n);
  BN_free(bn_e);
  return ok ? 0 : -1;
}

void cfleet_pkey_free(void *key) { EVP_PKEY_free((EVP_PKEY *)key); }

// PKCS#1 v1.5 with `md`; the signature is the modulus' length, as OpenSSH sends it.
static int rsa_sign(const EVP_MD *md, unsigned char **sig, size_t *sig_len, const unsigned char *data, size_t data_len,
                    EVP_PKEY *key) {
  size_t raw_len = (size_t)EVP_PKEY_get_size(key);
  unsigned char *raw = malloc(raw_len);
  if (!raw) return -1;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL;
  int ok = ctx && EVP_DigestSignInit(ctx, &pctx, md, NULL, key) == 1 &&
           EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
           EVP_DigestSign(ctx, raw, &raw_len, data, data_len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    free(raw);
    return -1;
  }
  *sig = raw;
  *sig_len = raw_len;
  return 0;
}

int cfleet_rsa_sha512_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len, const unsigned char *data,
                           size_t data_len, void **abstract) {
  (void)session;
  return rsa_sign(EVP_sha512(), sig, sig_len, data, data_len, (EVP_PKEY *)*abstract);
}

int cfleet_rsa_sha256_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len, const unsigned char *data,
                           size_t data_len, void **abstract) {
  (void)session;
  return rsa_sign(EVP_sha256(), sig, sig_len, data, data_len, (EVP_PKEY *)*abstract);
}

int cfleet_rsa_sha1_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len, const unsigned char *data,
                         size_t data_len, void **abstract) {
  (void)session;
  return rsa_sign(EVP_sha1(), sig, sig_len, data, data_len, (EVP_PKEY *)*abstract);
}

// The EOF whose packet libssh2 builds on its stack (see CFleetShims.h): repeated from this
// frame only, so the packet keeps its address between the attempts.

/// CLOCK_MONOTONIC in milliseconds.
static long long cfleet_now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/// Waits until `fd` is writable or `deadline_ms` (`cfleet_now_ms` time) passes.
/// - Returns: whether it became writable.
static int cfleet_wait_writable(int fd, long long deadline_ms) {
  for (;;) {
    long long left = deadline_ms - cfleet_now_ms();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int ready = poll(&p, 1, (int)left);
    if (ready > 0) return 1;
    if (ready < 0 && errno != EINTR) return 0;
  }
}

int cfleet_channel_send_eof_whole(LIBSSH2_SESSION *session, LIBSSH2_CHANNEL *channel, int fd, int timeout_ms) {
  long long deadline = cfleet_now_ms() + timeout_ms;
  for (;;) {
    int rc = libssh2_channel_send_eof(channel);
    if (rc != LIBSSH2_ERROR_EAGAIN) return rc;
    if (!(libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND)) return rc;
    if (!cfleet_wait_writable(fd, deadline)) return LIBSSH2_ERROR_TIMEOUT;
  }
}
