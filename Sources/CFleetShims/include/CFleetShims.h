#ifndef CFLEETSHIMS_H
#define CFLEETSHIMS_H
// Thin C shims for what Swift cannot see: Linux epoll/eventfd (not exported by Glibc's
// Swift overlay) and libssh2's function-like macros. Nothing here holds logic.
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <libssh2.h>
#include <malloc.h>

// Private keys decrypted once per scan (bcrypt_pbkdf, OpenSSH and PEM ciphers).
#include "CFleetKeyDecryption.h"

static inline int cfleet_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/// Adds, modifies or deletes `fd`; `token` comes back with its events (the reactor packs the
/// descriptor and the waiter's id into it, so an event for an older wait is recognised).
static inline int cfleet_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
  struct epoll_event ev;
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(epfd, op, fd, &ev);
}

/// Waits for up to `max` events (at most 256), `timeout_ms` milliseconds at most (-1: no
/// limit); writes their tokens and event masks into the two arrays.
static inline int cfleet_epoll_wait(int epfd, uint64_t *tokens, uint32_t *masks, int max, int timeout_ms) {
  struct epoll_event events[256];
  if (max > 256) max = 256;
  int n = epoll_wait(epfd, events, max, timeout_ms);
  for (int i = 0; i < n; i++) {
    tokens[i] = events[i].data.u64;
    masks[i] = events[i].events;
  }
  return n;
}

/// glibc malloc for a scan's memory profile (thousands of small session buffers, then a few
/// large ones: scan.json is about 60 KB per host). Allocations of 256 KiB and more get a mapping
/// of their own, returned to the system when freed: setting the threshold also stops glibc's
/// sliding one, which after the first large free serves blocks up to 32 MiB from the heap,
/// where freed ones stay resident. Two arenas: the cooperative pool has two threads, and
/// every further arena only strands more free memory.
static inline void cfleet_tune_malloc(void) {
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
  mallopt(M_ARENA_MAX, 2);
}

/// Gives the system back the free memory inside the heap (glibc's malloc_trim: whole free
/// pages anywhere in it, not only at its top). After a scan's sessions end, their buffers are
/// free but resident; storing and reporting then start from what the results hold.
static inline void cfleet_release_free_memory(void) { malloc_trim(0); }

static inline int cfleet_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

/// Adds 1 to the eventfd's counter, which makes it readable: wakes a thread in epoll_wait.
static inline int cfleet_eventfd_signal(int fd) { return eventfd_write(fd, 1); }

/// Reads the counter back to 0 (EAGAIN when it already was), so epoll stops reporting it.
static inline int cfleet_eventfd_drain(int fd) {
  eventfd_t value;
  return eventfd_read(fd, &value);
}

/// Names a thread for `top -H` and debuggers (15 bytes at most). In shims.c: it needs
/// _GNU_SOURCE, which this target defines but Swift's import of this header does not.
int cfleet_thread_set_name(pthread_t thread, const char *name);

static const uint32_t CFLEET_EPOLLIN = EPOLLIN;
static const uint32_t CFLEET_EPOLLOUT = EPOLLOUT;
static const uint32_t CFLEET_EPOLLONESHOT = EPOLLONESHOT;
static const int CFLEET_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int CFLEET_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int CFLEET_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

// libssh2 macros, as functions.
static inline LIBSSH2_SESSION *cfleet_session_init(void) { return libssh2_session_init_ex(NULL, NULL, NULL, NULL); }
static inline int cfleet_session_disconnect(LIBSSH2_SESSION *s, const char *why) {
  return libssh2_session_disconnect_ex(s, SSH_DISCONNECT_BY_APPLICATION, why, "");
}
static inline LIBSSH2_CHANNEL *cfleet_channel_open_session(LIBSSH2_SESSION *s) {
  return libssh2_channel_open_ex(s, "session", sizeof("session") - 1, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                 LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}
static inline int cfleet_channel_exec(LIBSSH2_CHANNEL *c, const char *command, unsigned int length) {
  return libssh2_channel_process_startup(c, "exec", sizeof("exec") - 1, command, length);
}
static inline ssize_t cfleet_channel_read(LIBSSH2_CHANNEL *c, int stream, char *buffer, size_t length) {
  return libssh2_channel_read_ex(c, stream, buffer, length);
}
/// A `direct-tcpip` channel (RFC 4254 section 7.2) with our own window, so a jump host's many
/// channels stay bounded (libssh2_channel_direct_tcpip_ex always asks for 2 MiB). `message`
/// is the request's type-specific data: host, port, originator address and port.
static inline LIBSSH2_CHANNEL *cfleet_channel_direct_tcpip(LIBSSH2_SESSION *s, const char *message, unsigned int message_len,
                                                          unsigned int window) {
  return libssh2_channel_open_ex(s, "direct-tcpip", sizeof("direct-tcpip") - 1, window, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                 message, message_len);
}
static inline ssize_t cfleet_channel_write(LIBSSH2_CHANNEL *c, const char *buffer, size_t length) {
  return libssh2_channel_write_ex(c, 0, buffer, length);
}

// Ed25519 public-key auth with a key parsed once: libssh2 1.10 re-decodes a private key
// through OpenSSL 3's decoders on every session, which costs more CPU than the rest of the
// session. These sign through a callback with an EVP_PKEY made once from the raw seed.
void *cfleet_ed25519_key_new(const unsigned char *seed32);
void cfleet_ed25519_key_free(void *key);
int cfleet_ed25519_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len,
                        const unsigned char *data, size_t data_len, void **abstract);
static inline int cfleet_userauth_ed25519(LIBSSH2_SESSION *s, const char *user, unsigned int user_len,
                                          const unsigned char *public_blob, size_t blob_len, void **key) {
  return libssh2_userauth_publickey(s, user, public_blob, blob_len, cfleet_ed25519_sign, key);
}

// RSA, signed in-process the same way: libssh2 1.10 signs RSA only as `ssh-rsa` (SHA-1),
// which OpenSSH 8.8+ refuses. libssh2 names the signature after the first string of the
// public key blob it is given, so a blob that says `rsa-sha2-512` (OpenSSH reads that name
// as an RSA key) with a SHA-512 signature is a valid rsa-sha2-512 login.
void *cfleet_rsa_key_from_parts(const unsigned char *n, size_t n_len, const unsigned char *e, size_t e_len,
                                const unsigned char *d, size_t d_len, const unsigned char *iqmp, size_t iqmp_len,
                                const unsigned char *p, size_t p_len, const unsigned char *q, size_t q_len);
void *cfleet_rsa_key_from_pem(const char *pem, size_t pem_len);
int cfleet_rsa_public(void *key, unsigned char *n, size_t *n_len, unsigned char *e, size_t *e_len);
void cfleet_pkey_free(void *key);
int cfleet_rsa_sha512_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len, const unsigned char *data,
                           size_t data_len, void **abstract);
int cfleet_rsa_sha256_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len, const unsigned char *data,
                           size_t data_len, void **abstract);
/// SHA-1 (`ssh-rsa`): only for the test that shows current sshd refuses it.
int cfleet_rsa_sha1_sign(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len, const unsigned char *data,
                         size_t data_len, void **abstract);

/// Which in-process signer `cfleet_userauth_signed` uses.
typedef enum {
  CFLEET_SIGN_ED25519 = 0,
  CFLEET_SIGN_RSA_SHA512 = 1,
  CFLEET_SIGN_RSA_SHA256 = 2,
  CFLEET_SIGN_RSA_SHA1 = 3,
} cfleet_signer;

/// Public-key auth with `key` (an EVP_PKEY) and the signer `kind`; the algorithm name is the
/// first string of `public_blob`.
static inline int cfleet_userauth_signed(LIBSSH2_SESSION *s, const char *user, unsigned int user_len,
                                         const unsigned char *public_blob, size_t blob_len, cfleet_signer kind,
                                         void **key) {
  (void)user_len;
  switch (kind) {
  case CFLEET_SIGN_RSA_SHA512: return libssh2_userauth_publickey(s, user, public_blob, blob_len, cfleet_rsa_sha512_sign, key);
  case CFLEET_SIGN_RSA_SHA256: return libssh2_userauth_publickey(s, user, public_blob, blob_len, cfleet_rsa_sha256_sign, key);
  case CFLEET_SIGN_RSA_SHA1: return libssh2_userauth_publickey(s, user, public_blob, blob_len, cfleet_rsa_sha1_sign, key);
  default: return libssh2_userauth_publickey(s, user, public_blob, blob_len, cfleet_ed25519_sign, key);
  }
}

/// libssh2 1.10 builds two packets on its own stack: the channel EOF (`channel_send_eof`'s
/// `packet[5]`) and the keepalive. When the socket takes only part of one (or none), the
/// session keeps the rest and finishes it on the next send only if that send passes the same
/// packet address (transport.c, `send_existing`); any other address gets
/// LIBSSH2_ERROR_BAD_USE, and the packet stays half-sent for good: the peer waits for the
/// rest (a command waits for its EOF for ever) and every later packet of the session fails.
/// A retry from Swift after an await runs on whatever thread resumes the task, so at another
/// stack address. This sends the EOF and, while the socket has not taken all of it, sends it
/// again from this one C frame (the same address), waiting at most `timeout_ms` in all for
/// `fd` (`session`'s socket) to be writable. Callers wait for `fd` to be writable first, so
/// the wait here is for a socket that took part of a packet right after saying it had room
/// (not seen so far). (The
/// keepalive cannot be finished this way: libssh2 counts it sent at once and does not build
/// it again; callers send it only while the socket is writable.)
/// - Returns: 0 once sent; LIBSSH2_ERROR_TIMEOUT when the socket took nothing more within
///   `timeout_ms` (the session cannot send again: end it); LIBSSH2_ERROR_EAGAIN when the
///   session waits to read first (a key exchange; nothing of this packet is pending); any
///   other libssh2 error as the call returned it.
int cfleet_channel_send_eof_whole(LIBSSH2_SESSION *session, LIBSSH2_CHANNEL *channel, int fd, int timeout_ms);

static const int CFLEET_INBOUND = LIBSSH2_SESSION_BLOCK_INBOUND;
static const int CFLEET_OUTBOUND = LIBSSH2_SESSION_BLOCK_OUTBOUND;
static const int CFLEET_STDERR = SSH_EXTENDED_DATA_STDERR;

#endif
