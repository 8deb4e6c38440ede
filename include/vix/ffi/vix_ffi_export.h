/*
 * vix_ffi_export.h - symbol visibility and calling-convention macros of Vix FFI ABI v1.
 *
 * VIX_FFI_API       put in front of every exported declaration and definition.
 *                   Windows and Cygwin: __declspec(dllexport) while building the library
 *                   (define VIX_FFI_BUILD_DLL), __declspec(dllimport) for its users.
 *                   GCC and Clang elsewhere: default visibility, so that a library built
 *                   with -fvisibility=hidden exports its API and nothing else.
 * VIX_FFI_CALL      the calling convention, placed between the return type and the name:
 *                   __cdecl on Windows, empty elsewhere.
 * VIX_FFI_EXTERN_C  extern "C" when compiled as C++, empty when compiled as C. It is a
 *                   prefix for one declaration; it never opens a block.
 *
 * A project with special needs (a static library on Windows, say) may define
 * VIX_FFI_API or VIX_FFI_CALL itself before including any Vix FFI header.
 */
#ifndef VIX_FFI_EXPORT_H
#define VIX_FFI_EXPORT_H

#ifndef VIX_FFI_API
#  if defined(_WIN32) || defined(__CYGWIN__)
#    if defined(VIX_FFI_BUILD_DLL)
#      define VIX_FFI_API __declspec(dllexport)
#    else
#      define VIX_FFI_API __declspec(dllimport)
#    endif
#  elif defined(__GNUC__) || defined(__clang__)
#    define VIX_FFI_API __attribute__((visibility("default")))
#  else
#    define VIX_FFI_API
#  endif
#endif

#ifndef VIX_FFI_CALL
#  if defined(_WIN32)
#    define VIX_FFI_CALL __cdecl
#  else
#    define VIX_FFI_CALL
#  endif
#endif

#ifndef VIX_FFI_EXTERN_C
#  ifdef __cplusplus
#    define VIX_FFI_EXTERN_C extern "C"
#  else
#    define VIX_FFI_EXTERN_C
#  endif
#endif

#endif /* VIX_FFI_EXPORT_H */
