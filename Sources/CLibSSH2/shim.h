#ifndef CLIBSSH2_SHIM_H
#define CLIBSSH2_SHIM_H
// libssh2's public headers. Function-like macros (libssh2_channel_exec and
// friends) are not imported by Swift; FleetPortsSSH wraps the ones it needs
// in a C shim target of its own.
#include <libssh2.h>
#include <libssh2_publickey.h>
#endif
