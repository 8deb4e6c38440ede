/*
 * vix_check_shim.c - preloaded (LD_PRELOAD) into the child processes of `vix-ffi check` on
 * Linux with glibc, so that the checker sees the heap of the library under test whatever
 * its language: C's malloc, C++'s operator new (which calls malloc) and Rust's System
 * allocator all come here before glibc.
 *
 * Nothing changes for a thread until the child arms it around one call of the library
 * (vix_shim_arm / vix_shim_disarm); then, on that thread only:
 *   - every allocation is counted, with the bytes it holds (malloc_usable_size), and every
 *     free subtracts them: the balance of a call is what it left allocated (`leaks`);
 *   - allocation number `fail_at` (1-based) returns NULL, as under memory pressure
 *     (`allocation-failure`);
 *   - every block freed is filled with 0xdf first and remembered, so that a status
 *     message pointing into memory freed during the call is both unreadable and named
 *     (`message-lifetime`).
 * It also follows C++ exceptions (__cxa_throw, __cxa_rethrow, __cxa_end_catch): when the
 * process aborts while one is in flight (thrown and not caught), the SIGABRT handler
 * writes its type to the checker's protocol stream before the process dies.
 *
 * glibc exports its allocator under __libc_malloc and the like: the shim forwards to those,
 * so it never calls dlsym from inside malloc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

#define EXPORT __attribute__((visibility("default")))
#define TLS static __thread __attribute__((tls_model("initial-exec")))

/* What one armed call did; the layout is mirrored in the checker (child/shim.rs). */
struct vix_shim_stats {
    uint64_t allocations; /* allocations attempted, the failed one included */
    uint64_t frees;
    int64_t balance;      /* bytes allocated minus bytes freed */
    int64_t blocks;       /* blocks allocated minus blocks freed */
    uint64_t failed_size; /* bytes asked for by the allocation made to fail, 0 if none */
    uint64_t failed;      /* 1 when the allocation `fail_at` happened (and failed) */
};

#define FREED_KEPT 256

TLS int armed;
TLS uint64_t fail_at;
TLS struct vix_shim_stats stats;
TLS uintptr_t freed_start[FREED_KEPT];
TLS uintptr_t freed_len[FREED_KEPT];
TLS unsigned freed_next;
TLS unsigned freed_count;

/* 1 to count this allocation (armed); -1 when it must fail. */
static int take(size_t size)
{
    if (!armed) {
        return 0;
    }
    stats.allocations++;
    if (fail_at != 0 && stats.allocations == fail_at) {
        stats.failed = 1;
        stats.failed_size = size;
        return -1;
    }
    return 1;
}

static void counted(void *p)
{
    if (p != NULL) {
        stats.balance += (int64_t)malloc_usable_size(p);
        stats.blocks++;
    }
}

static void release(void *p)
{
    if (p == NULL || !armed) {
        return;
    }
    size_t n = malloc_usable_size(p);
    stats.frees++;
    stats.balance -= (int64_t)n;
    stats.blocks--;
    memset(p, 0xdf, n);
    freed_start[freed_next] = (uintptr_t)p;
    freed_len[freed_next] = n;
    freed_next = (freed_next + 1) % FREED_KEPT;
    if (freed_count < FREED_KEPT) {
        freed_count++;
    }
}

EXPORT void *malloc(size_t size)
{
    int t = take(size);
    if (t < 0) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = __libc_malloc(size);
    if (t > 0) {
        counted(p);
    }
    return p;
}

EXPORT void free(void *p)
{
    release(p);
    __libc_free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
    int t = take(n * size);
    if (t < 0) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = __libc_calloc(n, size);
    if (t > 0) {
        counted(p);
    }
    return p;
}

EXPORT void *realloc(void *old, size_t size)
{
    if (old == NULL) {
        return malloc(size);
    }
    if (size == 0) {
        free(old);
        return NULL;
    }
    int t = take(size);
    if (t < 0) {
        errno = ENOMEM;
        return NULL; /* the old block stays, as when glibc fails */
    }
    size_t before = malloc_usable_size(old);
    void *p = __libc_realloc(old, size);
    if (t > 0 && p != NULL) {
        stats.balance += (int64_t)malloc_usable_size(p) - (int64_t)before;
    }
    return p;
}

static void *aligned(size_t align, size_t size)
{
    int t = take(size);
    if (t < 0) {
        return NULL;
    }
    void *p = __libc_memalign(align, size);
    if (t > 0) {
        counted(p);
    }
    return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        return EINVAL;
    }
    void *p = aligned(align, size);
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    void *p = aligned(align, size);
    if (p == NULL) {
        errno = ENOMEM;
    }
    return p;
}

EXPORT void *memalign(size_t align, size_t size)
{
    void *p = aligned(align, size);
    if (p == NULL) {
        errno = ENOMEM;
    }
    return p;
}

EXPORT void *valloc(size_t size)
{
    return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

/* ---- the checker's side ---- */

/* Present when the shim is loaded: the checker looks this up first. */
EXPORT int vix_shim_version(void)
{
    return 1;
}

/* Starts counting on this thread; allocation number `fail` (from 1) fails, none for 0. */
EXPORT void vix_shim_arm(uint64_t fail)
{
    memset(&stats, 0, sizeof stats);
    fail_at = fail;
    freed_next = 0;
    freed_count = 0;
    armed = 1;
}

/* Stops counting on this thread and gives what the call did. */
EXPORT void vix_shim_disarm(struct vix_shim_stats *out)
{
    armed = 0;
    if (out != NULL) {
        *out = stats;
    }
}

/* The size of the block freed during the last armed call that holds address `p`, or 0. */
EXPORT size_t vix_shim_freed_block(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (unsigned i = 0; i < freed_count; i++) {
        if (a >= freed_start[i] && a < freed_start[i] + freed_len[i]) {
            return freed_len[i];
        }
    }
    return 0;
}

/* ---- C++ exceptions that escape ---- */

TLS int in_flight;
TLS char in_flight_type[200];
static int report_fd = -1;

struct lookup {
    const char *name;
    void *self;
    void *found;
};

static int lookup_in(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lookup *l = data;
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0') {
        return 0;
    }
    void *h = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
    if (h == NULL) {
        return 0;
    }
    void *sym = dlsym(h, l->name);
    dlclose(h);
    if (sym != NULL && sym != l->self) {
        l->found = sym;
        return 1;
    }
    return 0;
}

/* The C++ runtime's own `name`: after the shim in the global scope, or, for a runtime
 * that only a library opened with RTLD_LOCAL brought in, in any loaded object. */
static void *find_symbol(const char *name, void *self)
{
    void *sym = dlsym(RTLD_NEXT, name);
    if (sym != NULL && sym != self) {
        return sym;
    }
    struct lookup l = {name, self, NULL};
    dl_iterate_phdr(lookup_in, &l);
    return l.found;
}

static void *next_symbol(const char *name, void *self)
{
    void *sym = find_symbol(name, self);
    if (sym == NULL) {
        abort(); /* cannot happen: whoever threw linked a C++ runtime */
    }
    return sym;
}

typedef void (*cxa_throw_fn)(void *, void *, void (*)(void *));
typedef void (*cxa_rethrow_fn)(void);
typedef void (*cxa_end_catch_fn)(void);

EXPORT __attribute__((noreturn)) void __cxa_throw(void *thrown, void *tinfo, void (*dest)(void *))
{
    static cxa_throw_fn real;
    if (real == NULL) {
        real = (cxa_throw_fn)next_symbol("__cxa_throw", (void *)__cxa_throw);
    }
    /* std::type_info (Itanium C++ ABI): a vtable pointer, then the mangled name. */
    const char *name = tinfo != NULL ? ((const char *const *)tinfo)[1] : "";
    if (name != NULL && name[0] == '*') {
        name++;
    }
    size_t n = 0;
    /* Only the characters of a mangled name: they need no escaping in JSON. */
    for (; name != NULL && name[n] != '\0' && n + 1 < sizeof in_flight_type; n++) {
        char c = name[n];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        in_flight_type[n] = plain ? c : '_';
    }
    in_flight_type[n] = '\0';
    in_flight = 1;
    real(thrown, tinfo, dest);
    __builtin_unreachable();
}

EXPORT __attribute__((noreturn)) void __cxa_rethrow(void)
{
    static cxa_rethrow_fn real;
    if (real == NULL) {
        real = (cxa_rethrow_fn)next_symbol("__cxa_rethrow", (void *)__cxa_rethrow);
    }
    in_flight = 1;
    real();
    __builtin_unreachable();
}

EXPORT void __cxa_end_catch(void)
{
    static cxa_end_catch_fn real;
    if (real == NULL) {
        real = (cxa_end_catch_fn)next_symbol("__cxa_end_catch", (void *)__cxa_end_catch);
    }
    in_flight = 0;
    real();
}

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) {
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);

static void on_abort(int sig)
{
    (void)sig;
    if (!in_flight || report_fd < 0) {
        return;
    }
    static const char head[] = "@vix-ffi-check {\"escaped\":{\"mangled\":\"";
    static const char middle[] = "\",\"name\":\"";
    static const char tail[] = "\"}}\n";
    /* The process is dying of abort(), called from outside the allocator: demangling
     * (which allocates) is safe enough here, and the report is worth it. */
    char name[400];
    name[0] = '\0';
    demangle_fn demangle = (demangle_fn)find_symbol("__cxa_demangle", NULL);
    int status = -1;
    char *text = demangle != NULL ? demangle(in_flight_type, NULL, NULL, &status) : NULL;
    if (text != NULL && status == 0) {
        size_t n = 0;
        for (; text[n] != '\0' && n + 1 < sizeof name; n++) {
            char c = text[n];
            name[n] = (c == '"' || c == '\\' || (unsigned char)c < 0x20) ? '?' : c;
        }
        name[n] = '\0';
    }
    write_all(report_fd, head, sizeof head - 1);
    write_all(report_fd, in_flight_type, strlen(in_flight_type));
    write_all(report_fd, middle, sizeof middle - 1);
    write_all(report_fd, name, strlen(name));
    write_all(report_fd, tail, sizeof tail - 1);
}

/* When the process aborts with a C++ exception in flight, its type goes to `fd`, as a
 * protocol line of the checker. */
EXPORT void vix_shim_report_escapes(int fd)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_abort;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    report_fd = fd;
    sigaction(SIGABRT, &sa, NULL);
}
