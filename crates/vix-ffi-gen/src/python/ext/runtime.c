/* The run-time code of every compiled backend: the same text in every generated
 * _vix_ext.c, followed there by the tables of one package's functions.
 *
 * A function is described by a vix_fn (its Python parameters in Python order, each
 * with the index of its C parameter group, its output, its sizing) and a thunk, the
 * only code generated per function: it calls the library's symbol with the C
 * parameters that Signature::c_params() lists, each taken from a vix_args by its role.
 * Everything else (argument parsing, conversions, sizing, errors) is here, once, and
 * matches _vix_runtime.py: same calls, same capacities, same exceptions and messages.
 *
 * Python objects are touched only with the GIL held; the GIL is released around the
 * library call when the inputs are large (VIX_GIL_THRESHOLD bytes or more), which
 * only reads the inputs (bytes, str, or buffers held through Py_buffer) and writes
 * into output memory that no other code sees yet. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* CPython 3.8 has vectorcall under its provisional names. */
#if PY_VERSION_HEX < 0x03090000
#define Py_TPFLAGS_HAVE_VECTORCALL _Py_TPFLAGS_HAVE_VECTORCALL
#define Py_IS_TYPE(ob, type) (Py_TYPE(ob) == (type))
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* ---- ABI v1 mirrors (include/vix/ffi/vix_ffi_types.h, vix_ffi_status.h) ---------- */

typedef struct vix_str {
    const char *ptr;
    size_t len;
} vix_str;

typedef struct vix_status {
    int32_t code;
    vix_str message;
} vix_status;

enum {
    VIX_STATUS_OK = 0,
    VIX_STATUS_ERROR = 1,
    VIX_STATUS_INVALID_ARG = 2,
    VIX_STATUS_BUFFER_TOO_SMALL = 3
};

/* ---- what a thunk reads its C arguments from ------------------------------------ */

typedef union vix_scalar {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    size_t size;
    double f64;
    bool b;
} vix_scalar;

typedef struct vix_in {
    const uint8_t *ptr;
    size_t len;
} vix_in;

typedef struct vix_handle vix_handle;

/* Indexed by the C parameter group (Role::InputPtr(i), Role::Scalar(i), ...). */
typedef struct vix_args {
    vix_in *in;
    vix_scalar *scalar;
    void **handle;     /* Role::Object(i): the handle of an object argument */
    void *self;        /* Role::SelfHandle */
    void *out_handle;  /* Role::OutHandle */
    PyObject *self_obj; /* the Python object of a method or constructor */
    vix_handle **users; /* the objects the call has entered */
    int nusers;
    uint8_t *out_ptr;
    size_t out_cap;
    size_t out_len;
    vix_scalar value;
    vix_status status;
    vix_str text; /* the result of a version function */
} vix_args;

typedef int (*vix_thunk)(void *symbol, vix_args *a);

/* Parameter kinds. */
enum {
    VIX_P_BYTES,
    VIX_P_STR,
    VIX_P_I32,
    VIX_P_U32,
    VIX_P_I64,
    VIX_P_U64,
    VIX_P_SIZE,
    VIX_P_FLOAT,
    VIX_P_BOOL,
    VIX_P_OBJECT, /* an object of the class `cls`, borrowed for the call */
    VIX_P_SELF    /* the object of a method or constructor, first */
};
/* Output kinds. */
enum {
    VIX_OUT_NONE,
    VIX_OUT_BYTES,
    VIX_OUT_UTF8, /* str, decoded as UTF-8 */
    VIX_OUT_ASCII, /* str the library promises is ASCII (verified here) */
    VIX_OUT_I32,
    VIX_OUT_U32,
    VIX_OUT_I64,
    VIX_OUT_U64,
    VIX_OUT_SIZE,
    VIX_OUT_FLOAT,
    VIX_OUT_BOOL,
    VIX_OUT_OBJECT, /* a new object of the class `out_class` */
    VIX_OUT_INIT,   /* a constructor's new handle, adopted by self */
    VIX_OUT_SELF    /* no output from C; Python gets self back */
};
/* Function shapes. */
enum { VIX_SHAPE_VERSION, VIX_SHAPE_OPERATION, VIX_SHAPE_TYPED };
/* How a Python parameter is passed. */
enum { VIX_PASS_POSITIONAL_ONLY, VIX_PASS_EITHER, VIX_PASS_KEYWORD_ONLY };

typedef struct vix_param {
    const char *name;
    int kind;
    int passing;
    int c_index;          /* its index in vix_args.in / .scalar / .handle */
    const char *expected; /* operation shape: the start of the TypeError message */
    int optional;         /* None passes NULL (and a length of 0) */
    int cls;              /* objects and self: the class, in vix_classes */
} vix_param;

typedef struct vix_fn {
    int index;            /* in vix_functions and vix_symbols */
    const char *qualname; /* the Python qualified name, for argument-binding messages */
    const char *name;     /* the name in conversion messages (Spec.name) */
    const char *symbol; /* the C symbol */
    vix_thunk thunk;
    int shape;
    int output;
    int nparams;
    const vix_param *params; /* in Python order */
    Py_ssize_t blocks_in;    /* output_blocks, or 0 */
    Py_ssize_t blocks_out;
    int self_class; /* a method or constructor: its class, else -1 */
    int out_class;  /* VIX_OUT_OBJECT, VIX_OUT_INIT: the class of the result */
    int release;    /* no buffer in or out: the GIL is released for every call */
} vix_fn;

/* A class of the manifest. */
typedef struct vix_class {
    const char *name;
    const char *free_symbol;
    int thread_safe;
} vix_class;

typedef void (*vix_free_fn)(void *handle);

/* ---- module state ----------------------------------------------------------------- */

/* Defined by the tables that follow this code. */
static const vix_class vix_classes[VIX_CLASSES + 1];

static void *vix_symbols[VIX_FUNCTIONS];
static vix_free_fn vix_frees[VIX_CLASSES + 1];      /* each class's free symbol */
static PyTypeObject *vix_class_types[VIX_CLASSES + 1]; /* registered by _vix_base */
static PyObject *vix_error_factory; /* _vix_base._vix_error(code, message) */

#define VIX_SMALL 16384
#define VIX_SMALL_INPUT ((VIX_SMALL - 64) * 2 / 3)
#define VIX_MAX_CALLS 4
#define VIX_FIRST_CAPACITY 4096
#ifndef VIX_GIL_THRESHOLD
#define VIX_GIL_THRESHOLD 32768
#endif

static const uint8_t vix_empty[1] = {0};

/* ---- errors ----------------------------------------------------------------------- */

static void vix_raise(int32_t code, PyObject *message) {
    if (message == NULL) {
        return;
    }
    PyObject *exc = PyObject_CallFunction(vix_error_factory, "iO", (int)code, message);
    Py_DECREF(message);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
}

/* _native._vix_status_error: the exception of a failed call, from its status. */
static void vix_raise_status(const vix_fn *fn, const vix_status *status, int rc) {
    if (status->code == VIX_STATUS_OK) {
        vix_raise(VIX_STATUS_ERROR,
                  PyUnicode_FromFormat("%s returned %d but set no error status", fn->symbol,
                                       rc));
        return;
    }
    if (status->message.ptr == NULL || status->message.len == 0) {
        vix_raise(status->code, PyUnicode_FromStringAndSize("", 0));
        return;
    }
    vix_raise(status->code,
              PyUnicode_DecodeUTF8(status->message.ptr, (Py_ssize_t)status->message.len,
                                   "replace"));
}

static void vix_raise_oversize(const vix_fn *fn, size_t size, size_t capacity) {
    vix_raise(VIX_STATUS_ERROR,
              PyUnicode_FromFormat("%s reported %zu output bytes in a buffer of %zu",
                                   fn->symbol, size, capacity));
}

static void vix_raise_asked_less(const vix_fn *fn, size_t capacity, size_t size) {
    vix_raise(VIX_STATUS_BUFFER_TOO_SMALL,
              PyUnicode_FromFormat("%s answered VIX_STATUS_BUFFER_TOO_SMALL for %zu bytes "
                                   "but asked for %zu",
                                   fn->symbol, capacity, size));
}

static void vix_raise_too_many(const vix_fn *fn, size_t capacity) {
    vix_raise(VIX_STATUS_BUFFER_TOO_SMALL,
              PyUnicode_FromFormat("%s still answered VIX_STATUS_BUFFER_TOO_SMALL after %d "
                                   "calls, last asking for %zu bytes",
                                   fn->symbol, VIX_MAX_CALLS, capacity));
}

/* _retry_capacity: 0 when the call succeeded, 1 to retry with a->out_len, -1 raised. */
static int vix_judge(const vix_fn *fn, int rc, const vix_args *a, size_t capacity) {
    if (rc == 0 && a->status.code == VIX_STATUS_OK) {
        if (a->out_len > capacity) {
            vix_raise_oversize(fn, a->out_len, capacity);
            return -1;
        }
        return 0;
    }
    if (a->status.code != VIX_STATUS_BUFFER_TOO_SMALL) {
        vix_raise_status(fn, &a->status, rc);
        return -1;
    }
    if (a->out_len <= capacity) {
        vix_raise_asked_less(fn, capacity, a->out_len);
        return -1;
    }
    return 1;
}

/* ---- objects ---------------------------------------------------------------------- */

/* The base of every class of the package on this backend (_vix_base.Handle), as
 * _vix_runtime.Handle is on ctypes: the handle, released once by close(), `with`, or
 * when the object is deallocated.
 *
 * Locking. The counts are read and written only with the GIL held. A call enters each
 * object it uses (users + 1), in the order of their addresses, each once; an object of
 * a class not declared thread-safe admits one user at a time, and close() waits until
 * there is none, then frees with the GIL held throughout, so that no call can start on
 * a freed handle. A call that holds the GIL from entering to leaving needs nothing
 * more: no other thread runs meanwhile. One that releases it around the library call
 * counts itself `outside`, and the first of those takes `lock` (made then, once per
 * object), the last one back releases it: a thread that must wait (an object in use,
 * close()) waits on `lock` with the GIL released, then looks again. So an uncontended
 * call costs two increments, and objects only ever called with the GIL held never make
 * a lock. */
struct vix_handle {
    PyObject_HEAD
    void *handle;            /* NULL: never initialised, or closed */
    const vix_class *cls;    /* NULL: never initialised */
    vix_free_fn free;
    PyThread_type_lock lock; /* held exactly while `outside` > 0 */
    Py_ssize_t users;        /* calls inside: at most one unless thread-safe */
    Py_ssize_t outside;      /* of those, calls with the GIL released */
    int closing;             /* close() waits for the calls inside: no new one enters */
    PyObject *weakrefs;
};

static PyTypeObject vix_handle_type;

/* type(obj).__name__, as a C string. */
static const char *vix_type_short(PyObject *obj) {
    const char *full = Py_TYPE(obj)->tp_name;
    const char *dot = strrchr(full, '.');
    return dot ? dot + 1 : full;
}

static PyTypeObject *vix_class_type(int cls) {
    PyTypeObject *type = vix_class_types[cls];
    if (type == NULL) {
        PyErr_Format(PyExc_RuntimeError,
                     "the class %s is not registered with the compiled backend",
                     vix_classes[cls].name);
    }
    return type;
}

static void vix_adopt(vix_handle *obj, int cls, void *handle) {
    obj->handle = handle;
    obj->closing = 0;
    obj->cls = &vix_classes[cls];
    obj->free = vix_frees[cls];
}

/* A new object of class `cls` owning `handle` (released if that fails). */
static PyObject *vix_wrap(int cls, void *handle) {
    PyTypeObject *type = vix_class_type(cls);
    vix_handle *obj = type ? (vix_handle *)type->tp_alloc(type, 0) : NULL;
    if (obj == NULL) {
        vix_frees[cls](handle);
        return NULL;
    }
    vix_adopt(obj, cls, handle);
    return (PyObject *)obj;
}

/* Waits, with the GIL released, until the calls outside on `obj` come back. */
static void vix_wait(vix_handle *obj) {
    PyThread_type_lock lock = obj->lock;
    Py_BEGIN_ALLOW_THREADS
    if (lock != NULL) {
        (void)PyThread_acquire_lock(lock, WAIT_LOCK);
        PyThread_release_lock(lock);
    }
    /* No lock: the call inside holds the GIL in turn (Python code run by an allocation,
     * a finalizer); releasing the GIL lets it go on. */
    Py_END_ALLOW_THREADS
}

static void vix_leave(vix_handle **users, int n) {
    for (int i = 0; i < n; i++) {
        users[i]->users--;
    }
}

/* _enter: enters the objects of a call, in the order of their addresses, each once;
 * ValueError (none entered) for one never initialised or closed. */
static int vix_enter(const vix_fn *fn, vix_args *a) {
    vix_handle **users = a->users;
    int n = 0;
    for (int i = 0; i < a->nusers; i++) {
        vix_handle *obj = users[i];
        int j = n;
        while (j > 0 && users[j - 1] > obj) {
            j--;
        }
        if (j > 0 && users[j - 1] == obj) {
            continue;
        }
        memmove(&users[j + 1], &users[j], (size_t)(n - j) * sizeof users[0]);
        users[j] = obj;
        n++;
    }
    a->nusers = n;
    for (int i = 0; i < n; i++) {
        vix_handle *obj = users[i];
        for (;;) {
            const char *problem = obj->cls == NULL                       ? "was never initialised"
                                  : obj->handle == NULL || obj->closing ? "is closed"
                                                                         : NULL;
            if (problem != NULL) {
                vix_leave(users, i);
                a->nusers = 0;
                PyErr_Format(PyExc_ValueError, "%s(): the %s object %s", fn->name,
                             vix_type_short((PyObject *)obj), problem);
                return -1;
            }
            if (obj->users == 0 || obj->cls->thread_safe) {
                break;
            }
            vix_wait(obj);
        }
        obj->users++;
    }
    return 0;
}

/* Before the GIL is released around a call: false (keep the GIL) if a lock cannot be
 * made. */
static bool vix_go_outside(vix_args *a) {
    for (int i = 0; i < a->nusers; i++) {
        vix_handle *obj = a->users[i];
        if (obj->lock == NULL && (obj->lock = PyThread_allocate_lock()) == NULL) {
            return false;
        }
    }
    for (int i = 0; i < a->nusers; i++) {
        vix_handle *obj = a->users[i];
        if (obj->outside++ == 0) {
            /* Free, or held for an instant by a waiter that needs no GIL to let go. */
            (void)PyThread_acquire_lock(obj->lock, WAIT_LOCK);
        }
    }
    return true;
}

static void vix_come_inside(vix_args *a) {
    for (int i = 0; i < a->nusers; i++) {
        vix_handle *obj = a->users[i];
        if (--obj->outside == 0) {
            PyThread_release_lock(obj->lock);
        }
    }
}

static PyObject *vix_handle_close(PyObject *op, PyObject *unused) {
    (void)unused;
    vix_handle *self = (vix_handle *)op;
    /* New calls are refused from now on, so that callers in a loop cannot starve the
     * wait below. */
    self->closing = 1;
    while (self->handle != NULL && self->users > 0) {
        vix_wait(self);
    }
    if (self->handle != NULL) {
        void *handle = self->handle;
        self->handle = NULL;
        self->free(handle);
    }
    Py_RETURN_NONE;
}

static PyObject *vix_handle_exit(PyObject *op, PyObject *args) {
    (void)args;
    return vix_handle_close(op, NULL);
}

static PyObject *vix_handle_closed(PyObject *op, void *closure) {
    (void)closure;
    return PyBool_FromLong(((vix_handle *)op)->handle == NULL);
}

/* Deallocation: no call can be inside (each holds a reference). A live handle is
 * released here, which CPython also does for the objects that modules still hold
 * when the interpreter exits; an object kept alive past that (a leaked reference, a
 * daemon thread's call) is left to the operating system rather than freed under a
 * call that may still run. */
static void vix_handle_dealloc(PyObject *op) {
    vix_handle *self = (vix_handle *)op;
    if (self->weakrefs != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    if (self->handle != NULL) {
        void *handle = self->handle;
        self->handle = NULL;
        self->free(handle);
    }
    if (self->lock != NULL) {
        PyThread_free_lock(self->lock);
    }
    Py_TYPE(op)->tp_free(op);
}

static PyMethodDef vix_handle_methods[] = {
    {"close", vix_handle_close, METH_NOARGS,
     "Releases the native object now (again: does nothing). Calls already running on it "
     "in other threads finish first; later calls raise ValueError."},
    {"__exit__", vix_handle_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef vix_handle_getset[] = {
    {"closed", vix_handle_closed, NULL, "Whether close() has released the native object.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject vix_handle_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = VIX_MODULE_NAME ".Handle",
    .tp_basicsize = sizeof(vix_handle),
    .tp_dealloc = vix_handle_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "The base of every generated class: the object's native handle, released once "
              "by close(), by `with`, or when the object is deallocated.",
    .tp_weaklistoffset = offsetof(vix_handle, weakrefs),
    .tp_methods = vix_handle_methods,
    .tp_getset = vix_handle_getset,
    .tp_new = PyType_GenericNew,
};

/* ---- the ASCII check ----------------------------------------------------------------- */

/* A str output is built as ASCII (one byte per character, a copy at most) only after
 * its bytes have been checked: a library that breaks an ASCII promise gets its output
 * decoded as UTF-8, or the UnicodeDecodeError of that, as an unpromised one does. The
 * check is one pass over the output, vectorised with the widest instructions the CPU
 * has (AVX-512BW, AVX2, else eight bytes at a time), and it runs from the end
 * backwards: the bytes written last are the ones still in the caches. */

/* Portable: eight bytes at a time, four accumulators. */
static bool vix_ascii_words(const uint8_t *p, size_t len) {
    uint64_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    size_t n = len;
    while (n >= 32) {
        n -= 32;
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, p + n, 8);
        memcpy(&w1, p + n + 8, 8);
        memcpy(&w2, p + n + 16, 8);
        memcpy(&w3, p + n + 24, 8);
        acc0 |= w0;
        acc1 |= w1;
        acc2 |= w2;
        acc3 |= w3;
    }
    while (n >= 8) {
        n -= 8;
        uint64_t w;
        memcpy(&w, p + n, 8);
        acc0 |= w;
    }
    while (n > 0) {
        n--;
        acc1 |= p[n];
    }
    return ((acc0 | acc1 | acc2 | acc3) & UINT64_C(0x8080808080808080)) == 0;
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define VIX_ASCII_X86 1
#include <cpuid.h>
#include <immintrin.h>

/* The vector loops read the aligned middle of [p, p + len), [low, q), with aligned
 * loads (one that straddles two cache lines costs two), from its end; the unaligned ends
 * are read by one load each, which may overlap the middle (a byte read twice changes
 * nothing). len is at least one vector, so low <= q. */
#define VIX_ALIGN_DOWN(x, width) ((const uint8_t *)((uintptr_t)(x) & ~(uintptr_t)((width)-1)))
#define VIX_ALIGN_UP(x, width) VIX_ALIGN_DOWN((uintptr_t)(x) + (width)-1, width)

__attribute__((target("avx2"))) static bool vix_ascii_avx2(const uint8_t *p, size_t len) {
    if (len < 32) {
        return vix_ascii_words(p, len);
    }
    const uint8_t *low = VIX_ALIGN_UP(p, 32);
    const uint8_t *q = VIX_ALIGN_DOWN(p + len, 32);
    __m256i acc0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + len - 32));
    __m256i acc1 = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i acc2 = _mm256_setzero_si256();
    __m256i acc3 = _mm256_setzero_si256();
    while ((size_t)(q - low) >= 128) {
        q -= 128;
        acc0 = _mm256_or_si256(acc0, _mm256_load_si256((const __m256i *)(const void *)q));
        acc1 = _mm256_or_si256(acc1, _mm256_load_si256((const __m256i *)(const void *)(q + 32)));
        acc2 = _mm256_or_si256(acc2, _mm256_load_si256((const __m256i *)(const void *)(q + 64)));
        acc3 = _mm256_or_si256(acc3, _mm256_load_si256((const __m256i *)(const void *)(q + 96)));
    }
    while (q > low) {
        q -= 32;
        acc0 = _mm256_or_si256(acc0, _mm256_load_si256((const __m256i *)(const void *)q));
    }
    acc0 = _mm256_or_si256(_mm256_or_si256(acc0, acc1), _mm256_or_si256(acc2, acc3));
    return _mm256_movemask_epi8(acc0) == 0;
}

__attribute__((target("avx512f,avx512bw"))) static bool vix_ascii_avx512(const uint8_t *p,
                                                                        size_t len) {
    if (len < 64) {
        /* One masked load: the bytes past the end are not read. */
        __mmask64 mask = (__mmask64)((UINT64_C(1) << len) - 1);
        return _mm512_movepi8_mask(_mm512_maskz_loadu_epi8(mask, p)) == 0;
    }
    const uint8_t *low = VIX_ALIGN_UP(p, 64);
    const uint8_t *q = VIX_ALIGN_DOWN(p + len, 64);
    __m512i acc0 = _mm512_loadu_si512((const void *)(p + len - 64));
    __m512i acc1 = _mm512_loadu_si512((const void *)p);
    __m512i acc2 = _mm512_setzero_si512();
    __m512i acc3 = _mm512_setzero_si512();
    while ((size_t)(q - low) >= 256) {
        q -= 256;
        acc0 = _mm512_or_si512(acc0, _mm512_load_si512((const void *)q));
        acc1 = _mm512_or_si512(acc1, _mm512_load_si512((const void *)(q + 64)));
        acc2 = _mm512_or_si512(acc2, _mm512_load_si512((const void *)(q + 128)));
        acc3 = _mm512_or_si512(acc3, _mm512_load_si512((const void *)(q + 192)));
    }
    while (q > low) {
        q -= 64;
        acc0 = _mm512_or_si512(acc0, _mm512_load_si512((const void *)q));
    }
    acc0 = _mm512_or_si512(_mm512_or_si512(acc0, acc1), _mm512_or_si512(acc2, acc3));
    return _mm512_movepi8_mask(acc0) == 0;
}

/* 2: AVX-512BW, 1: AVX2, 0: neither. Chosen once, when the module's shared library is
 * loaded (before any Python code runs, so no thread can see it change), from CPUID and
 * what the operating system saves (XCR0). Not with __builtin_cpu_supports: zig cc
 * cannot link its __cpu_model into a shared library. VIX_ASCII_MAX, when defined at
 * compile time, caps it: the tests build the extension at each level the CPU has, so
 * that every kernel runs. */
#ifndef VIX_ASCII_MAX
#define VIX_ASCII_MAX 2
#endif
static int vix_ascii_level;

__attribute__((constructor)) static void vix_choose_ascii(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) {
        return; /* no OSXSAVE: no xgetbv, no AVX */
    }
    uint32_t xcr0, xcr0_high;
    __asm__("xgetbv" : "=a"(xcr0), "=d"(xcr0_high) : "c"(0));
    (void)xcr0_high;
    if ((xcr0 & 0x6) != 0x6 || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        return; /* the YMM state is not saved */
    }
    bool avx2 = ebx & (1u << 5);
    bool avx512 = (ebx & (1u << 16)) && (ebx & (1u << 30)) && (xcr0 & 0xe6) == 0xe6;
    vix_ascii_level = avx512 && VIX_ASCII_MAX >= 2 ? 2 : avx2 && VIX_ASCII_MAX >= 1 ? 1 : 0;
}
#endif

/* Whether len bytes at p are all ASCII. */
static bool vix_is_ascii(const uint8_t *p, size_t len) {
#ifdef VIX_ASCII_X86
    if (vix_ascii_level == 2) {
        return vix_ascii_avx512(p, len);
    }
    if (vix_ascii_level == 1) {
        return vix_ascii_avx2(p, len);
    }
#endif
    return vix_ascii_words(p, len);
}

/* A str of len bytes known to be ASCII. */
static PyObject *vix_ascii_str(const uint8_t *p, size_t len) {
    PyObject *s = PyUnicode_New((Py_ssize_t)len, 127);
    if (s != NULL && len) {
        memcpy(PyUnicode_DATA(s), p, len);
    }
    return s;
}

/* A str from len bytes of output: ASCII built at C speed, else decoded as UTF-8. */
static PyObject *vix_text(const uint8_t *p, size_t len) {
    if (vix_is_ascii(p, len)) {
        return vix_ascii_str(p, len);
    }
    return PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)len, NULL);
}

/* ---- calls ------------------------------------------------------------------------ */

/* Whether a call succeeded with an output of ASCII bytes only. */
static bool vix_output_is_ascii(const vix_args *a, int rc) {
    return rc == 0 && a->status.code == VIX_STATUS_OK && a->out_len <= a->out_cap &&
           vix_is_ascii(a->out_ptr, a->out_len);
}

/* Calls the library. `ascii`, when not NULL, is set to whether the output the call
 * reports (a->out_len bytes at a->out_ptr, when it succeeded and they fit) is ASCII:
 * checked right after the call, with the GIL still released for a large one (the
 * output object is not visible to any other code yet), so that threads scale. */
static int vix_invoke(const vix_fn *fn, vix_args *a, size_t in_total, bool *ascii) {
    int rc;
    a->status.code = VIX_STATUS_OK;
    a->status.message.ptr = NULL;
    a->status.message.len = 0;
    if ((in_total >= VIX_GIL_THRESHOLD || fn->release) && vix_go_outside(a)) {
        Py_BEGIN_ALLOW_THREADS
        rc = fn->thunk(vix_symbols[fn->index], a);
        if (ascii != NULL) {
            *ascii = vix_output_is_ascii(a, rc);
        }
        Py_END_ALLOW_THREADS
        vix_come_inside(a);
    } else {
        rc = fn->thunk(vix_symbols[fn->index], a);
        if (ascii != NULL) {
            *ascii = vix_output_is_ascii(a, rc);
        }
    }
    return rc;
}

/* Outputs of this size or more ask Linux for transparent huge pages, as _vix_runtime.py
 * does: the kernel then fills 2 MiB at a time instead of taking a fault per 4 KiB. */
#define VIX_HUGE ((size_t)4 << 20)
#define VIX_HUGE_PAGE ((uintptr_t)2 << 20)

static void vix_advise_huge(uint8_t *data, size_t size) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t start = ((uintptr_t)data + VIX_HUGE_PAGE - 1) & ~(VIX_HUGE_PAGE - 1);
    uintptr_t end = ((uintptr_t)data + size) & ~(VIX_HUGE_PAGE - 1);
    if (size >= VIX_HUGE && end > start) {
        (void)madvise((void *)start, (size_t)(end - start), MADV_HUGEPAGE);
    }
#else
    (void)data;
    (void)size;
#endif
}

/* A new object of `capacity` bytes to write an output into, and where its bytes are. */
static PyObject *vix_new_output(int output, size_t capacity, uint8_t **data) {
    if (output == VIX_OUT_BYTES) {
        PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)capacity);
        if (b != NULL) {
            *data = (uint8_t *)PyBytes_AS_STRING(b);
        }
        return b;
    }
    PyObject *s = PyUnicode_New((Py_ssize_t)capacity, 127);
    if (s != NULL) {
        *data = (uint8_t *)PyUnicode_DATA(s);
    }
    return s;
}

/* _finish: the output from `result` (written in full, or `size` bytes of it); `ascii`:
 * whether those bytes are ASCII (vix_invoke checked them). */
static PyObject *vix_finish(PyObject *result, const uint8_t *data, size_t size,
                            size_t capacity, int output, bool ascii) {
    if (output != VIX_OUT_BYTES && !ascii) {
        /* Not ASCII: decoded as UTF-8 (the ASCII promise is verified, not trusted). */
        PyObject *text = PyUnicode_DecodeUTF8((const char *)data, (Py_ssize_t)size, NULL);
        Py_DECREF(result);
        return text;
    }
    if (size == capacity) {
        return result;
    }
    PyObject *shorter = output == VIX_OUT_BYTES
                            ? PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)size)
                            : vix_ascii_str(data, size);
    Py_DECREF(result);
    return shorter;
}

/* _run_large: an output written into the result itself, at `capacity` (0: ask). */
static PyObject *vix_run_large(const vix_fn *fn, vix_args *a, size_t in_total,
                               size_t capacity, int calls) {
    int rc;
    if (capacity == 0) {
        calls = 1;
        a->out_ptr = NULL;
        a->out_cap = 0;
        a->out_len = 0;
        rc = vix_invoke(fn, a, in_total, NULL);
        capacity = a->out_len;
        bool usual = rc && a->status.code == VIX_STATUS_BUFFER_TOO_SMALL && capacity;
        if (!usual) {
            int judged = vix_judge(fn, rc, a, 0);
            if (judged < 0) {
                return NULL;
            }
            if (judged == 0) {
                return fn->output == VIX_OUT_BYTES ? PyBytes_FromStringAndSize(NULL, 0)
                                                   : PyUnicode_New(0, 127);
            }
        }
    }
    while (calls < VIX_MAX_CALLS) {
        calls++;
        uint8_t *data = NULL;
        PyObject *result = vix_new_output(fn->output, capacity, &data);
        if (result == NULL) {
            return NULL;
        }
        vix_advise_huge(data, capacity);
        a->out_ptr = data;
        a->out_cap = capacity;
        a->out_len = 0;
        bool ascii = false;
        rc = vix_invoke(fn, a, in_total > capacity ? in_total : capacity,
                        fn->output == VIX_OUT_BYTES ? NULL : &ascii);
        int judged = vix_judge(fn, rc, a, capacity);
        if (judged == 0) {
            return vix_finish(result, data, a->out_len, capacity, fn->output, ascii);
        }
        Py_DECREF(result);
        if (judged < 0) {
            return NULL;
        }
        capacity = a->out_len;
    }
    vix_raise_too_many(fn, capacity);
    return NULL;
}

/* operation(): the v1.0 shape, one input in a->in[0]. */
static PyObject *vix_run_operation(const vix_fn *fn, vix_args *a) {
    size_t in_size = a->in[0].len;
    if (in_size <= VIX_SMALL_INPUT) {
        uint8_t small[VIX_SMALL];
        a->out_ptr = small;
        a->out_cap = VIX_SMALL;
        a->out_len = 0;
        int rc = vix_invoke(fn, a, in_size, NULL);
        if (rc == 0 && a->status.code == VIX_STATUS_OK && a->out_len <= VIX_SMALL) {
            if (fn->output == VIX_OUT_BYTES) {
                return PyBytes_FromStringAndSize((const char *)small,
                                                 (Py_ssize_t)a->out_len);
            }
            return vix_text(small, a->out_len);
        }
        /* _run_on */
        int judged = vix_judge(fn, rc, a, VIX_SMALL);
        if (judged < 0) {
            return NULL;
        }
        return vix_run_large(fn, a, in_size, judged ? a->out_len : VIX_SMALL, 1);
    }
    size_t capacity = 0;
    if (fn->blocks_in) {
        capacity = (in_size / (size_t)fn->blocks_in +
                    (in_size % (size_t)fn->blocks_in != 0)) *
                   (size_t)fn->blocks_out;
    }
    return vix_run_large(fn, a, in_size, capacity, 0);
}

/* _run_sized: a buffer output of a typed signature, through PyMem memory and a copy. */
static PyObject *vix_run_sized(const vix_fn *fn, vix_args *a, size_t in_total) {
    size_t capacity = VIX_FIRST_CAPACITY;
    if (fn->blocks_in) {
        for (int i = 0; i < fn->nparams; i++) {
            const vix_param *p = &fn->params[i];
            if (p->kind == VIX_P_BYTES || p->kind == VIX_P_STR) {
                size_t n = a->in[p->c_index].len;
                capacity = (n / (size_t)fn->blocks_in + (n % (size_t)fn->blocks_in != 0)) *
                           (size_t)fn->blocks_out;
                break;
            }
        }
    }
    /* Up to the first capacity, on the stack: the same calls, without a malloc. */
    uint8_t first[VIX_FIRST_CAPACITY];
    for (int calls = 0; calls < VIX_MAX_CALLS; calls++) {
        uint8_t *address = NULL;
        if (capacity && capacity <= VIX_FIRST_CAPACITY) {
            address = first;
        } else if (capacity) {
            address = PyMem_Malloc(capacity);
            if (address == NULL) {
                PyErr_Format(PyExc_MemoryError, "%s: cannot allocate %zu output bytes",
                             fn->symbol, capacity);
                return NULL;
            }
        }
        a->out_ptr = address;
        a->out_cap = capacity;
        a->out_len = 0;
        int rc = vix_invoke(fn, a, in_total > capacity ? in_total : capacity, NULL);
        size_t size = a->out_len;
        if (rc == 0 && a->status.code == VIX_STATUS_OK) {
            PyObject *out;
            if (size > capacity) {
                vix_raise_oversize(fn, size, capacity);
                out = NULL;
            } else {
                const char *from = address && size ? (const char *)address : "";
                Py_ssize_t n = address && size ? (Py_ssize_t)size : 0;
                out = fn->output == VIX_OUT_BYTES ? PyBytes_FromStringAndSize(from, n)
                                                  : PyUnicode_DecodeUTF8(from, n, NULL);
            }
            if (address != first) {
                PyMem_Free(address);
            }
            return out;
        }
        if (address != first) {
            PyMem_Free(address);
        }
        if (a->status.code != VIX_STATUS_BUFFER_TOO_SMALL) {
            vix_raise_status(fn, &a->status, rc);
            return NULL;
        }
        if (size <= capacity) {
            vix_raise_asked_less(fn, capacity, size);
            return NULL;
        }
        capacity = size;
    }
    vix_raise_too_many(fn, capacity);
    return NULL;
}

static PyObject *vix_run_typed(const vix_fn *fn, vix_args *a, size_t in_total) {
    if (fn->output == VIX_OUT_BYTES || fn->output == VIX_OUT_UTF8 ||
        fn->output == VIX_OUT_ASCII) {
        return vix_run_sized(fn, a, in_total);
    }
    memset(&a->value, 0, sizeof a->value);
    a->out_handle = NULL;
    int rc = vix_invoke(fn, a, in_total, NULL);
    if (rc != 0 || a->status.code != VIX_STATUS_OK) {
        vix_raise_status(fn, &a->status, rc);
        return NULL;
    }
    switch (fn->output) {
    case VIX_OUT_NONE:
        Py_RETURN_NONE;
    case VIX_OUT_SELF:
        Py_INCREF(a->self_obj);
        return a->self_obj;
    case VIX_OUT_OBJECT:
    case VIX_OUT_INIT: {
        if (a->out_handle == NULL) {
            vix_raise(VIX_STATUS_ERROR,
                      PyUnicode_FromFormat("%s reported success but returned a NULL handle",
                                           fn->symbol));
            return NULL;
        }
        if (fn->output == VIX_OUT_OBJECT) {
            return vix_wrap(fn->out_class, a->out_handle);
        }
        vix_handle *self = (vix_handle *)a->self_obj;
        if (self->handle != NULL) {
            /* Initialised by another thread while this call ran without the GIL. */
            vix_frees[fn->out_class](a->out_handle);
            PyErr_Format(PyExc_RuntimeError, "%s object is already initialised", fn->name);
            return NULL;
        }
        vix_adopt(self, fn->out_class, a->out_handle);
        Py_RETURN_NONE;
    }
    case VIX_OUT_FLOAT:
        return PyFloat_FromDouble(a->value.f64);
    case VIX_OUT_BOOL:
        return PyBool_FromLong(a->value.b);
    case VIX_OUT_I32:
        return PyLong_FromLong((long)a->value.i32);
    case VIX_OUT_U32:
        return PyLong_FromUnsignedLong((unsigned long)a->value.u32);
    case VIX_OUT_I64:
        return PyLong_FromLongLong((long long)a->value.i64);
    case VIX_OUT_U64:
        return PyLong_FromUnsignedLongLong((unsigned long long)a->value.u64);
    default:
        return PyLong_FromSize_t(a->value.size);
    }
}

static PyObject *vix_run_version(const vix_fn *fn, vix_args *a) {
    (void)vix_invoke(fn, a, 0, NULL);
    if (a->status.code != VIX_STATUS_OK) {
        vix_raise_status(fn, &a->status, 0);
        return NULL;
    }
    if (a->text.len == 0) {
        return PyUnicode_New(0, 127);
    }
    if (a->text.ptr == NULL) {
        vix_raise(VIX_STATUS_ERROR,
                  PyUnicode_FromFormat("%s returned a NULL pointer with a length of %zu",
                                       fn->symbol, a->text.len));
        return NULL;
    }
    return PyUnicode_DecodeUTF8(a->text.ptr, (Py_ssize_t)a->text.len, NULL);
}

/* ---- arguments -------------------------------------------------------------------- */

/* What a call holds until it returns: buffers to release, objects to drop. */
typedef struct vix_held {
    Py_buffer views[VIX_MAX_PARAMS];
    int nviews;
    PyObject *objects[VIX_MAX_PARAMS];
    int nobjects;
} vix_held;

static void vix_release(vix_held *held) {
    for (int i = 0; i < held->nviews; i++) {
        PyBuffer_Release(&held->views[i]);
    }
    for (int i = 0; i < held->nobjects; i++) {
        Py_DECREF(held->objects[i]);
    }
}

static const char *vix_type_name(PyObject *value) {
    return Py_TYPE(value)->tp_name;
}

/* The short type name, as type(value).__name__ gives it. */
static PyObject *vix_short_name(PyObject *value) {
    const char *full = vix_type_name(value);
    const char *dot = strrchr(full, '.');
    return PyUnicode_FromString(dot ? dot + 1 : full);
}

static void vix_type_error(const vix_fn *fn, const vix_param *p, const char *expected,
                           PyObject *value) {
    PyObject *name = vix_short_name(value);
    if (name == NULL) {
        return;
    }
    if (p->expected != NULL) {
        PyErr_Format(PyExc_TypeError, "%s, not %R", p->expected, name);
    } else {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s, not %R", fn->name,
                     p->name, expected, name);
    }
    Py_DECREF(name);
}

/* A bytes or str argument as (pointer, length), without a copy for bytes-like objects
 * and ASCII str. 0 on success, -1 with an exception set. */
static int vix_buffer_arg(const vix_fn *fn, const vix_param *p, PyObject *value,
                          vix_in *in, vix_held *held) {
    if (PyBytes_CheckExact(value)) {
        in->ptr = (const uint8_t *)PyBytes_AS_STRING(value);
        in->len = (size_t)PyBytes_GET_SIZE(value);
        return 0;
    }
    if (p->kind == VIX_P_STR && PyUnicode_Check(value)) {
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(value) < 0) {
            return -1;
        }
#endif
        if (PyUnicode_IS_COMPACT_ASCII(value)) {
            /* The UTF-8 form of an ASCII str is its own data. */
            in->ptr = (const uint8_t *)PyUnicode_DATA(value);
            in->len = (size_t)PyUnicode_GET_LENGTH(value);
            return 0;
        }
        PyObject *encoded = PyUnicode_AsUTF8String(value);
        if (encoded == NULL) {
            return -1;
        }
        held->objects[held->nobjects++] = encoded;
        in->ptr = (const uint8_t *)PyBytes_AS_STRING(encoded);
        in->len = (size_t)PyBytes_GET_SIZE(encoded);
        return 0;
    }
    if (!PyObject_CheckBuffer(value)) {
        vix_type_error(fn, p,
                       p->kind == VIX_P_STR ? "str or a C-contiguous bytes-like object"
                                            : "a C-contiguous bytes-like object",
                       value);
        return -1;
    }
    Py_buffer *view = &held->views[held->nviews];
    if (PyObject_GetBuffer(value, view, PyBUF_FULL_RO) < 0) {
        return -1;
    }
    held->nviews++;
    if (!PyBuffer_IsContiguous(view, 'C')) {
        PyObject *name = vix_short_name(value);
        if (name != NULL) {
            if (p->expected != NULL) {
                PyErr_Format(PyExc_BufferError, "%s; this %U is not", p->expected, name);
            } else {
                PyErr_Format(PyExc_BufferError,
                             "%s() argument '%s' must be a C-contiguous bytes-like object; "
                             "this %U is not",
                             fn->name, p->name, name);
            }
            Py_DECREF(name);
        }
        return -1;
    }
    in->len = (size_t)view->len;
    if (in->len == 0) {
        /* The operation shape passes b"" (a valid pointer), typed signatures NULL. */
        in->ptr = fn->shape == VIX_SHAPE_OPERATION ? vix_empty : NULL;
    } else {
        in->ptr = (const uint8_t *)view->buf;
    }
    return 0;
}

static int vix_int_arg(const vix_fn *fn, const vix_param *p, PyObject *value,
                       vix_scalar *out) {
    PyObject *number;
    if (PyLong_CheckExact(value)) {
        /* An int is its own index (the usual case: no call, no new reference). */
        number = value;
        Py_INCREF(number);
    } else {
        number = PyNumber_Index(value);
    }
    if (number == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            vix_type_error(fn, p, "int", value);
        }
        return -1;
    }
    long long low = 0;
    unsigned long long high = 0;
    bool ok = false;
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(number, &overflow);
    if (s == -1 && PyErr_Occurred()) {
        Py_DECREF(number);
        return -1;
    }
    switch (p->kind) {
    case VIX_P_I32:
        low = INT32_MIN;
        high = INT32_MAX;
        ok = !overflow && s >= INT32_MIN && s <= INT32_MAX;
        out->i32 = (int32_t)s;
        break;
    case VIX_P_I64:
        low = INT64_MIN;
        high = INT64_MAX;
        ok = !overflow;
        out->i64 = (int64_t)s;
        break;
    case VIX_P_U32:
        high = UINT32_MAX;
        ok = !overflow && s >= 0 && s <= (long long)UINT32_MAX;
        out->u32 = (uint32_t)s;
        break;
    default: {
        high = p->kind == VIX_P_SIZE ? (unsigned long long)SIZE_MAX : UINT64_MAX;
        unsigned long long u = 0;
        if (!overflow) {
            ok = s >= 0;
            u = (unsigned long long)s;
        } else if (overflow > 0) {
            u = PyLong_AsUnsignedLongLong(number);
            ok = !(u == (unsigned long long)-1 && PyErr_Occurred());
            PyErr_Clear();
        }
        ok = ok && u <= high;
        if (p->kind == VIX_P_SIZE) {
            out->size = (size_t)u;
        } else {
            out->u64 = (uint64_t)u;
        }
        break;
    }
    }
    if (!ok) {
        PyErr_Format(PyExc_OverflowError, "%s() argument '%s' must be from %lld to %llu, not %S",
                     fn->name, p->name, low, high, number);
    }
    Py_DECREF(number);
    return ok ? 0 : -1;
}

static int vix_float_arg(const vix_fn *fn, const vix_param *p, PyObject *value,
                         vix_scalar *out) {
    if (PyFloat_CheckExact(value)) {
        out->f64 = PyFloat_AS_DOUBLE(value);
        return 0;
    }
    if (PyObject_HasAttrString(value, "__float__") || PyObject_HasAttrString(value, "__index__")) {
        double x = PyFloat_AsDouble(value);
        if (x == -1.0 && PyErr_Occurred()) {
            return -1;
        }
        out->f64 = x;
        return 0;
    }
    vix_type_error(fn, p, "float", value);
    return -1;
}

static int vix_convert(const vix_fn *fn, const vix_param *p, PyObject *value, vix_args *a,
                       vix_held *held, size_t *in_total) {
    vix_scalar *scalar = &a->scalar[p->c_index];
    switch (p->kind) {
    case VIX_P_BYTES:
    case VIX_P_STR:
        if (value == Py_None && p->optional) {
            a->in[p->c_index].ptr = NULL;
            a->in[p->c_index].len = 0;
            return 0;
        }
        if (vix_buffer_arg(fn, p, value, &a->in[p->c_index], held) < 0) {
            return -1;
        }
        *in_total += a->in[p->c_index].len;
        return 0;
    case VIX_P_FLOAT:
        return vix_float_arg(fn, p, value, scalar);
    case VIX_P_BOOL:
        if (value == Py_True || value == Py_False) {
            scalar->b = value == Py_True;
            return 0;
        }
        vix_type_error(fn, p, "bool", value);
        return -1;
    default:
        return vix_int_arg(fn, p, value, scalar);
    }
}

/* ---- the function objects --------------------------------------------------------- */

typedef struct vix_function {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    const vix_fn *fn;
    PyObject *dict;                     /* __doc__, __wrapped__, __annotations__, ... */
    PyObject *defaults[VIX_MAX_PARAMS]; /* in Python order; NULL: required */
    int npositional;                    /* parameters that may be passed by position */
    int nposonly;
    /* Made by vix_prepare on the first call. */
    bool prepared;
    int norder;                      /* parameters with a C index (all but self) */
    int8_t order[VIX_MAX_PARAMS];    /* by C index: the parameter in Python order */
    bool converted[VIX_MAX_PARAMS];  /* by Python index: the default's C value is known */
    vix_in default_in[VIX_MAX_PARAMS];
    vix_scalar default_scalar[VIX_MAX_PARAMS];
} vix_function;

/* What every call of `self` would otherwise work out again: the parameters in C order,
 * and the C values of the defaults that convert without holding anything (None, ints,
 * floats, bools, bytes and ASCII str: a default object lives as long as the function,
 * so a pointer into it stays valid). A call passing the default object itself then
 * copies its C value (in_total still counts its length). */
static void vix_prepare(vix_function *self) {
    const vix_fn *fn = self->fn;
    self->norder = 0;
    for (int i = 0; i < fn->nparams; i++) {
        const vix_param *p = &fn->params[i];
        self->converted[i] = false;
        if (p->c_index < 0) {
            continue; /* self, passed apart */
        }
        self->order[p->c_index] = (int8_t)i;
        self->norder++;
        PyObject *d = self->defaults[i];
        if (d == NULL || p->kind == VIX_P_OBJECT || p->kind == VIX_P_SELF) {
            continue;
        }
        /* Converted as a call converts it; kept only if the conversion holds nothing
         * (a buffer view, an encoded copy) that the call would release. */
        vix_args a;
        vix_in in[VIX_MAX_PARAMS];
        vix_scalar scalar[VIX_MAX_PARAMS];
        vix_held held;
        size_t total = 0;
        a.in = in;
        a.scalar = scalar;
        held.nviews = 0;
        held.nobjects = 0;
        if (vix_convert(fn, p, d, &a, &held, &total) < 0) {
            /* Left to each call, which raises the same error. */
            PyErr_Clear();
            continue;
        }
        if (held.nviews || held.nobjects) {
            vix_release(&held);
            continue;
        }
        if (p->kind == VIX_P_BYTES || p->kind == VIX_P_STR) {
            self->default_in[i] = in[p->c_index];
        } else {
            self->default_scalar[i] = scalar[p->c_index];
        }
        self->converted[i] = true;
    }
    self->prepared = true;
}

/* "'a'", "'a' and 'b'", "'a', 'b', and 'c'", as CPython lists missing arguments. */
static void vix_missing(const vix_function *self, const int *which, int n, const char *what) {
    PyObject *names = PyUnicode_FromString("");
    for (int i = 0; i < n && names != NULL; i++) {
        const char *sep = i == 0 ? "" : (n == 2 ? " and " : (i == n - 1 ? ", and " : ", "));
        PyObject *next = PyUnicode_FromFormat("%U%s'%s'", names, sep,
                                              self->fn->params[which[i]].name);
        Py_DECREF(names);
        names = next;
    }
    if (names == NULL) {
        return;
    }
    PyErr_Format(PyExc_TypeError, "%s() missing %d required %s argument%s: %U",
                 self->fn->qualname, n, what, n == 1 ? "" : "s", names);
    Py_DECREF(names);
}

/* Binds the arguments of a call to the parameters, as CPython does for the Python
 * function the extension stands in for (same messages). */
static int vix_bind_args(const vix_function *self, PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames, PyObject **values) {
    const vix_fn *fn = self->fn;
    int n = fn->nparams;
    if (nargs > self->npositional) {
        int required = 0;
        for (int i = 0; i < self->npositional; i++) {
            required += self->defaults[i] == NULL;
        }
        if (required == self->npositional) {
            PyErr_Format(PyExc_TypeError, "%s() takes %d positional argument%s but %zd %s given",
                         fn->qualname, self->npositional, self->npositional == 1 ? "" : "s",
                         nargs, nargs == 1 ? "was" : "were");
        } else {
            PyErr_Format(PyExc_TypeError,
                         "%s() takes from %d to %d positional arguments but %zd %s given",
                         fn->qualname, required, self->npositional, nargs,
                         nargs == 1 ? "was" : "were");
        }
        return -1;
    }
    for (int i = 0; i < n; i++) {
        values[i] = i < nargs ? args[i] : NULL;
    }
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        int found = -1;
        for (int i = 0; i < n; i++) {
            if (PyUnicode_CompareWithASCIIString(key, fn->params[i].name) == 0) {
                found = i;
                break;
            }
        }
        if (found < 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%S'",
                         fn->qualname, key);
            return -1;
        }
        if (found < self->nposonly) {
            PyErr_Format(PyExc_TypeError,
                         "%s() got some positional-only arguments passed as keyword "
                         "arguments: '%s'",
                         fn->qualname, fn->params[found].name);
            return -1;
        }
        if (values[found] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
                         fn->qualname, fn->params[found].name);
            return -1;
        }
        values[found] = args[nargs + k];
    }
    int missing[VIX_MAX_PARAMS];
    int nmissing = 0;
    for (int i = 0; i < self->npositional; i++) {
        if (values[i] == NULL && self->defaults[i] == NULL) {
            missing[nmissing++] = i;
        }
    }
    if (nmissing) {
        vix_missing(self, missing, nmissing, "positional");
        return -1;
    }
    for (int i = self->npositional; i < n; i++) {
        if (values[i] == NULL && self->defaults[i] == NULL) {
            missing[nmissing++] = i;
        }
    }
    if (nmissing) {
        vix_missing(self, missing, nmissing, "keyword-only");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (values[i] == NULL) {
            values[i] = self->defaults[i];
        }
    }
    return 0;
}

/* The object argument `value` of parameter `p` (self included): TypeError unless it
 * is an instance of the parameter's class. */
static int vix_object_arg(const vix_fn *fn, const vix_param *p, PyObject *value) {
    PyTypeObject *type = vix_class_type(p->cls);
    if (type == NULL) {
        return -1;
    }
    if (PyObject_TypeCheck(value, type)) {
        return 0;
    }
    PyObject *name = vix_short_name(value);
    if (name != NULL) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a %s object, not %R",
                     fn->name, p->name, vix_classes[p->cls].name, name);
        Py_DECREF(name);
    }
    return -1;
}

static PyObject *vix_function_call(PyObject *callable, PyObject *const *args, size_t nargsf,
                                   PyObject *kwnames) {
    vix_function *self = (vix_function *)callable;
    const vix_fn *fn = self->fn;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    vix_in in[VIX_MAX_PARAMS];
    vix_scalar scalar[VIX_MAX_PARAMS];
    void *handles[VIX_MAX_PARAMS];
    vix_handle *users[VIX_MAX_PARAMS];
    vix_args a;
    /* Field by field: a memset of the whole struct costs more than the call's own
     * work here (the rest is written before it is read). */
    a.in = in;
    a.scalar = scalar;
    a.handle = handles;
    a.self = NULL;
    a.out_handle = NULL;
    a.self_obj = NULL;
    a.users = users;
    a.nusers = 0;
    a.out_ptr = NULL;
    a.out_cap = 0;
    a.out_len = 0;
    a.value.u64 = 0;
    a.text.ptr = NULL;
    a.text.len = 0;
    if (fn->shape == VIX_SHAPE_VERSION) {
        if (nargs || (kwnames && PyTuple_GET_SIZE(kwnames))) {
            if (nargs) {
                PyErr_Format(PyExc_TypeError,
                             "%s() takes 0 positional arguments but %zd %s given",
                             fn->qualname, nargs, nargs == 1 ? "was" : "were");
            } else {
                PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%S'",
                             fn->qualname, PyTuple_GET_ITEM(kwnames, 0));
            }
            return NULL;
        }
        return vix_run_version(fn, &a);
    }
    PyObject *values[VIX_MAX_PARAMS];
    if (fn->shape == VIX_SHAPE_OPERATION && nargs == 1 && kwnames == NULL) {
        /* The operation shape's usual call (one input, no object): the shortest path. */
        vix_held held;
        held.nviews = 0;
        held.nobjects = 0;
        size_t in_total = 0;
        PyObject *result = NULL;
        if (vix_convert(fn, &fn->params[0], args[0], &a, &held, &in_total) == 0) {
            result = vix_run_operation(fn, &a);
        }
        vix_release(&held);
        return result;
    }
    /* The common call: arguments by position only, defaults for the rest; anything
     * else (keywords, a missing or extra argument) is bound in full. */
    bool bound = kwnames == NULL && nargs <= self->npositional;
    for (int i = 0; bound && i < fn->nparams; i++) {
        values[i] = i < nargs ? args[i] : self->defaults[i];
        bound = values[i] != NULL;
    }
    if (!bound && vix_bind_args(self, args, nargs, kwnames, values) < 0) {
        return NULL;
    }
    if (fn->self_class >= 0) {
        if (vix_object_arg(fn, &fn->params[0], values[0]) < 0) {
            return NULL;
        }
        a.self_obj = values[0];
        if (fn->output != VIX_OUT_INIT) {
            a.users[a.nusers++] = (vix_handle *)values[0];
        } else if (((vix_handle *)values[0])->handle != NULL) {
            PyErr_Format(PyExc_RuntimeError, "%s object is already initialised", fn->name);
            return NULL;
        }
    }
    vix_held held;
    held.nviews = 0;
    held.nobjects = 0;
    size_t in_total = 0;
    PyObject *result = NULL;
    PyObject *objects[VIX_MAX_PARAMS] = {NULL}; /* by C index: the object arguments */
    if (!self->prepared) {
        vix_prepare(self);
    }
    /* In C order, as _vix_runtime.call converts them (the first bad one raises). */
    for (int c = 0; c < self->norder; c++) {
        int i = self->order[c];
        const vix_param *p = &fn->params[i];
        if (p->kind == VIX_P_OBJECT) {
            handles[c] = NULL;
            if (values[i] == Py_None && p->optional) {
                continue;
            }
            if (vix_object_arg(fn, p, values[i]) < 0) {
                goto done;
            }
            objects[c] = values[i];
            a.users[a.nusers++] = (vix_handle *)values[i];
        } else if (values[i] == self->defaults[i] && self->converted[i]) {
            /* The default itself: its C value, worked out once. */
            if (p->kind == VIX_P_BYTES || p->kind == VIX_P_STR) {
                in[c] = self->default_in[i];
                in_total += in[c].len;
            } else {
                scalar[c] = self->default_scalar[i];
            }
        } else if (vix_convert(fn, p, values[i], &a, &held, &in_total) < 0) {
            goto done;
        }
    }
    if (a.nusers) {
        if (vix_enter(fn, &a) < 0) {
            goto done;
        }
        /* Read once entered: close() cannot free them now. */
        if (a.self_obj != NULL) {
            a.self = ((vix_handle *)a.self_obj)->handle;
        }
        for (int c = 0; c < fn->nparams; c++) {
            if (objects[c] != NULL) {
                handles[c] = ((vix_handle *)objects[c])->handle;
            }
        }
    }
    result = fn->shape == VIX_SHAPE_OPERATION ? vix_run_operation(fn, &a)
                                              : vix_run_typed(fn, &a, in_total);
    vix_leave(a.users, a.nusers);
done:
    vix_release(&held);
    return result;
}

static PyTypeObject vix_function_type;
static PyObject *vix_init_name; /* "__init__", interned by the module's init */

/* The __init__ found in a registered class's dict, kept with the type's version tag:
 * CPython gives a type a new tag (or none) whenever its dict changes, so a kept one is
 * used only while the tag is the same. It saves a dict lookup per object made. */
static struct {
    unsigned int tag; /* of vix_class_types[i] when init was found (never 0) */
    PyObject *init;   /* a strong reference */
} vix_inits[VIX_CLASSES + 1];

static bool vix_tag_valid(PyTypeObject *type) {
#if PY_VERSION_HEX < 0x030C0000
    if (!PyType_HasFeature(type, Py_TPFLAGS_VALID_VERSION_TAG)) {
        return false;
    }
#endif
    return type->tp_version_tag != 0;
}

/* The registered class `type` is, or -1 (a subclass, say). */
static int vix_class_index(PyTypeObject *type) {
    for (int i = 0; i < VIX_CLASSES; i++) {
        if (vix_class_types[i] == type) {
            return i;
        }
    }
    return -1;
}

static PyObject *vix_cached_init(PyTypeObject *type) {
    int i = vix_class_index(type);
    return i >= 0 && vix_tag_valid(type) && vix_inits[i].tag == type->tp_version_tag
               ? vix_inits[i].init
               : NULL;
}

static void vix_cache_init(PyTypeObject *type, PyObject *init) {
#if PY_VERSION_HEX >= 0x030C0000
    (void)PyUnstable_Type_AssignVersionTag(type);
#endif
    /* Before 3.12 a type gets its tag from the first attribute lookup through it
     * (`obj.method`); until then each object made looks __init__ up. */
    int i = vix_class_index(type);
    if (init == NULL || i < 0 || !vix_tag_valid(type)) {
        return;
    }
    Py_INCREF(init);
    Py_XSETREF(vix_inits[i].init, init);
    vix_inits[i].tag = type->tp_version_tag;
}

/* A registered class called (its tp_vectorcall, set by register()): the object is
 * allocated and its compiled __init__ called directly, as type.__call__ would do,
 * without an argument tuple, a lookup through the MRO and a bound call. A class whose
 * __new__ or __init__ has been replaced since goes the usual way. */
static PyObject *vix_class_call(PyObject *callable, PyObject *const *args, size_t nargsf,
                                PyObject *kwnames) {
    PyTypeObject *type = (PyTypeObject *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    PyObject *init = NULL;
    if (type->tp_new == PyType_GenericNew && type->tp_dict != NULL) {
        init = vix_cached_init(type);
        if (init == NULL) {
            init = PyDict_GetItemWithError(type->tp_dict, vix_init_name);
            if (init == NULL && PyErr_Occurred()) {
                return NULL;
            }
            vix_cache_init(type, init);
        }
    }
    if (init == NULL || !Py_IS_TYPE(init, &vix_function_type) ||
        ((vix_function *)init)->fn->output != VIX_OUT_INIT || nargs + nkw >= VIX_MAX_PARAMS) {
        /* The usual way: type.__call__ with a tuple and a dict. */
        PyObject *tuple = PyTuple_New(nargs);
        PyObject *dict = nkw ? PyDict_New() : NULL;
        PyObject *result = NULL;
        if (tuple != NULL && (nkw == 0 || dict != NULL)) {
            for (Py_ssize_t i = 0; i < nargs; i++) {
                Py_INCREF(args[i]);
                PyTuple_SET_ITEM(tuple, i, args[i]);
            }
            int rc = 0;
            for (Py_ssize_t k = 0; k < nkw && rc == 0; k++) {
                rc = PyDict_SetItem(dict, PyTuple_GET_ITEM(kwnames, k), args[nargs + k]);
            }
            if (rc == 0) {
                result = PyType_Type.tp_call(callable, tuple, dict);
            }
        }
        Py_XDECREF(tuple);
        Py_XDECREF(dict);
        return result;
    }
    /* Held from here: the allocation may run a collection (finalizers) and the call may
     * release the GIL, and other code replace __init__ meanwhile (dropping the class's
     * and the cache's references). */
    Py_INCREF(init);
    PyObject *obj = type->tp_alloc(type, 0);
    if (obj == NULL) {
        Py_DECREF(init);
        return NULL;
    }
    PyObject *stack[VIX_MAX_PARAMS];
    stack[0] = obj;
    memcpy(&stack[1], args, (size_t)(nargs + nkw) * sizeof args[0]);
    PyObject *none = vix_function_call(init, stack, (size_t)nargs + 1, kwnames);
    Py_DECREF(init);
    if (none == NULL) {
        Py_DECREF(obj);
        return NULL;
    }
    Py_DECREF(none);
    return obj;
}

static void vix_function_dealloc(PyObject *op) {
    vix_function *self = (vix_function *)op;
    PyObject_GC_UnTrack(op);
    Py_CLEAR(self->dict);
    for (int i = 0; i < VIX_MAX_PARAMS; i++) {
        Py_CLEAR(self->defaults[i]);
    }
    PyObject_GC_Del(op);
}

static int vix_function_traverse(PyObject *op, visitproc visit, void *arg) {
    vix_function *self = (vix_function *)op;
    Py_VISIT(self->dict);
    for (int i = 0; i < VIX_MAX_PARAMS; i++) {
        Py_VISIT(self->defaults[i]);
    }
    return 0;
}

static int vix_function_clear(PyObject *op) {
    vix_function *self = (vix_function *)op;
    Py_CLEAR(self->dict);
    for (int i = 0; i < VIX_MAX_PARAMS; i++) {
        Py_CLEAR(self->defaults[i]);
    }
    return 0;
}

static PyObject *vix_function_repr(PyObject *op) {
    vix_function *self = (vix_function *)op;
    return PyUnicode_FromFormat("<compiled function %s>", self->fn->qualname);
}

/* As a Python function: found on a class, it binds to the instance (a method). */
static PyObject *vix_function_get(PyObject *op, PyObject *obj, PyObject *type) {
    (void)type;
    if (obj == NULL || obj == Py_None) {
        Py_INCREF(op);
        return op;
    }
    return PyMethod_New(op, obj);
}

static PyGetSetDef vix_function_getset[] = {
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject vix_function_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = VIX_MODULE_NAME ".Function",
    .tp_basicsize = sizeof(vix_function),
    .tp_dealloc = vix_function_dealloc,
    .tp_vectorcall_offset = offsetof(vix_function, vectorcall),
    .tp_repr = vix_function_repr,
    .tp_call = PyVectorcall_Call,
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_setattro = PyObject_GenericSetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL |
                Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_descr_get = vix_function_get,
    .tp_doc = "A function of the compiled backend; its signature, docstring and type hints "
              "are those of the Python function in __wrapped__.",
    .tp_traverse = vix_function_traverse,
    .tp_clear = vix_function_clear,
    .tp_getset = vix_function_getset,
    .tp_dictoffset = offsetof(vix_function, dict),
};
