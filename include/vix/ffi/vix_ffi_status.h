/*
 * vix_ffi_status.h - how a call reports its outcome (Vix FFI ABI v1).
 */
#ifndef VIX_FFI_STATUS_H
#define VIX_FFI_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "vix_ffi_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Status codes. These values are fixed for ABI v1; a later minor version may add codes,
 * so callers treat an unknown non-zero code as a generic error.
 */
enum vix_status_code {
    VIX_STATUS_OK = 0,               /* success */
    VIX_STATUS_ERROR = 1,            /* failure without a more precise code */
    VIX_STATUS_INVALID_ARG = 2,      /* bad argument or malformed input */
    VIX_STATUS_BUFFER_TOO_SMALL = 3, /* out_cap too small; *out_len holds the size needed */
    VIX_STATUS_NOT_SUPPORTED = 4     /* not available in this library or build */
};

/*
 * ABI v1.1: codes from this value up are the library's own, each with the meaning its
 * manifest gives it (and the Python exception it raises). 5 to 999 and negative codes
 * stay reserved for later ABI versions; a caller treats them as generic errors.
 */
#define VIX_STATUS_FIRST_LIBRARY_CODE 1000

/*
 * The outcome of a call: a vix_status_code value (stored as int32_t) and a message.
 * - The message is empty (NULL, 0) on success, human-readable UTF-8 otherwise, and like
 *   every vix_str it is not NUL-terminated.
 * - The library owns the message: the caller never frees it. It points at static
 *   storage or at storage of the calling thread, and stays valid at least until the next
 *   call into the same library on the same thread; copy it to keep it longer.
 * Layout on LP64: 24 bytes, align 8, code at offset 0, message at offset 8.
 */
typedef struct vix_status {
    int32_t code;
    vix_str message;
} vix_status;

/* A success status: code VIX_STATUS_OK and an empty message with a NULL pointer. */
static inline vix_status vix_status_ok(void)
{
    vix_status st;
    st.code = VIX_STATUS_OK;
    st.message.ptr = NULL;
    st.message.len = 0;
    return st;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VIX_FFI_STATUS_H */
