/*
 * vix_ffi_config.h - the version of the Vix FFI C ABI these headers describe.
 *
 * A minor version only adds (functions, status codes); a major version changes something
 * a built library depends on (a layout, a signature, a symbol, an ownership or sizing
 * rule). Both macros are plain integers, usable in #if.
 */
#ifndef VIX_FFI_CONFIG_H
#define VIX_FFI_CONFIG_H

#define VIX_FFI_ABI_VERSION_MAJOR 1
/* 1.1 adds typed signatures, objects and the library's own status codes (from
 * VIX_STATUS_FIRST_LIBRARY_CODE); nothing of 1.0 changed. */
#define VIX_FFI_ABI_VERSION_MINOR 1

#endif /* VIX_FFI_CONFIG_H */
