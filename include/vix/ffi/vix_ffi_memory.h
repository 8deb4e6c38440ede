/*
 * vix_ffi_memory.h - a caller-supplied allocator (Vix FFI ABI v1).
 *
 * Output buffers are normally allocated by the caller. A function that must allocate
 * what it returns takes a vix_allocator from the caller instead of calling malloc, and
 * documents who owns the result; memory obtained through alloc is released through the
 * free of the same allocator, with the same user pointer.
 */
#ifndef VIX_FFI_MEMORY_H
#define VIX_FFI_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returns size bytes of memory, or NULL when it cannot. */
typedef void *(*vix_alloc_fn)(size_t size, void *user);

/* Releases memory that came from the matching vix_alloc_fn; ptr may be NULL. */
typedef void (*vix_free_fn)(void *ptr, void *user);

/* An allocator: two functions and the context they receive back unchanged as user.
 * Layout on LP64: 24 bytes, align 8. */
typedef struct vix_allocator {
    vix_alloc_fn alloc;
    vix_free_fn free;
    void *user;
} vix_allocator;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VIX_FFI_MEMORY_H */
