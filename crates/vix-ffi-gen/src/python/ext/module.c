/* The module part of the compiled backend's run-time code: it follows the tables of
 * the package's functions (vix_functions) in the generated _vix_ext.c. */

/* ---- the module ------------------------------------------------------------------- */

/* open(path) -> int: dlopen as ctypes.CDLL does (RTLD_NOW | RTLD_LOCAL), raising
 * OSError with the loader's message. */
static PyObject *vix_open(PyObject *module, PyObject *arg) {
    (void)module;
    PyObject *encoded = NULL;
    if (!PyUnicode_FSConverter(arg, &encoded)) {
        return NULL;
    }
    void *handle;
#if defined(_WIN32)
    handle = (void *)LoadLibraryA(PyBytes_AS_STRING(encoded));
    Py_DECREF(encoded);
    if (handle == NULL) {
        return PyErr_SetFromWindowsErr(0);
    }
#else
    Py_BEGIN_ALLOW_THREADS
    handle = dlopen(PyBytes_AS_STRING(encoded), RTLD_NOW | RTLD_LOCAL);
    Py_END_ALLOW_THREADS
    Py_DECREF(encoded);
    if (handle == NULL) {
        const char *reason = dlerror();
        PyErr_SetString(PyExc_OSError, reason ? reason : "dlopen failed");
        return NULL;
    }
#endif
    return PyLong_FromVoidPtr(handle);
}

static void *vix_lookup(void *handle, const char *symbol) {
#if defined(_WIN32)
    return (void *)GetProcAddress((HMODULE)handle, symbol);
#else
    return dlsym(handle, symbol);
#endif
}

/* bind(handle, error_factory) -> list[str]: looks up every symbol; returns the missing
 * ones (then nothing is bound). */
static PyObject *vix_bind(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *handle_obj, *factory;
    if (!PyArg_ParseTuple(args, "OO:bind", &handle_obj, &factory)) {
        return NULL;
    }
    void *handle = PyLong_AsVoidPtr(handle_obj);
    if (handle == NULL && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *missing = PyList_New(0);
    if (missing == NULL) {
        return NULL;
    }
    /* The functions' symbols, then each class's free. */
    void *found[VIX_FUNCTIONS + VIX_CLASSES];
    for (int i = 0; i < VIX_FUNCTIONS + VIX_CLASSES; i++) {
        const char *symbol = i < VIX_FUNCTIONS ? vix_functions[i].symbol
                                               : vix_classes[i - VIX_FUNCTIONS].free_symbol;
        found[i] = vix_lookup(handle, symbol);
        if (found[i] == NULL) {
            PyObject *name = PyUnicode_FromString(symbol);
            if (name == NULL || PyList_Append(missing, name) < 0) {
                Py_XDECREF(name);
                Py_DECREF(missing);
                return NULL;
            }
            Py_DECREF(name);
        }
    }
    if (PyList_GET_SIZE(missing) == 0) {
        memcpy(vix_symbols, found, sizeof vix_symbols);
        for (int i = 0; i < VIX_CLASSES; i++) {
            /* A data pointer to a function pointer, as dlsym's users must. */
            memcpy(&vix_frees[i], &found[VIX_FUNCTIONS + i], sizeof vix_frees[i]);
        }
        Py_INCREF(factory);
        Py_XSETREF(vix_error_factory, factory);
    }
    return missing;
}

/* register(name, cls): the Python class of the manifest's class `name` (a subclass of
 * Handle), which object results are made of and object arguments must be instances of;
 * registered once its methods are in place (setting an attribute of a type may reset
 * its tp_vectorcall on some versions of CPython). */
static PyObject *vix_register(PyObject *module, PyObject *args) {
    (void)module;
    const char *name;
    PyObject *cls;
    if (!PyArg_ParseTuple(args, "sO!:register", &name, &PyType_Type, &cls)) {
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)cls, &vix_handle_type)) {
        PyErr_Format(PyExc_TypeError, "register(): %R is not a subclass of Handle", cls);
        return NULL;
    }
    for (int i = 0; i < VIX_CLASSES; i++) {
        if (strcmp(vix_classes[i].name, name) == 0) {
            Py_INCREF(cls);
            Py_XSETREF(vix_class_types[i], (PyTypeObject *)cls);
            /* Calls of the class construct through its compiled __init__. */
            vix_class_types[i]->tp_vectorcall = vix_class_call;
            Py_RETURN_NONE;
        }
    }
    PyErr_Format(PyExc_LookupError, "the compiled backend has no class %s", name);
    return NULL;
}

/* function(name, python_function) -> Function: the compiled twin of the Python
 * function or method `name` (`Class.method` for a method) of api, taking its defaults,
 * docstring and type hints. */
static PyObject *vix_make_function(PyObject *module, PyObject *args) {
    (void)module;
    const char *name;
    PyObject *python;
    if (!PyArg_ParseTuple(args, "sO:function", &name, &python)) {
        return NULL;
    }
    const vix_fn *fn = NULL;
    for (int i = 0; i < VIX_FUNCTIONS; i++) {
        if (strcmp(vix_functions[i].qualname, name) == 0) {
            fn = &vix_functions[i];
        }
    }
    if (fn == NULL) {
        PyErr_Format(PyExc_LookupError, "the compiled backend has no function %s", name);
        return NULL;
    }
    vix_function *self = PyObject_GC_New(vix_function, &vix_function_type);
    if (self == NULL) {
        return NULL;
    }
    self->vectorcall = vix_function_call;
    self->fn = fn;
    self->dict = NULL;
    self->npositional = 0;
    self->nposonly = 0;
    self->prepared = false; /* vix_prepare, on the first call */
    for (int i = 0; i < VIX_MAX_PARAMS; i++) {
        self->defaults[i] = NULL;
    }
    /* Positional-only: every parameter up to the last one marked so (a method's self,
     * marked "either", is positional-only too when a "/" follows it). */
    for (int i = 0; i < fn->nparams; i++) {
        self->npositional += fn->params[i].passing != VIX_PASS_KEYWORD_ONLY;
        if (fn->params[i].passing == VIX_PASS_POSITIONAL_ONLY) {
            self->nposonly = i + 1;
        }
    }
    PyObject_GC_Track((PyObject *)self);
    /* Defaults: __defaults__ for the last positional parameters, __kwdefaults__ for
     * keyword-only ones. */
    PyObject *defaults = PyObject_GetAttrString(python, "__defaults__");
    PyObject *kwdefaults = defaults ? PyObject_GetAttrString(python, "__kwdefaults__") : NULL;
    if (kwdefaults == NULL) {
        goto fail;
    }
    if (PyTuple_Check(defaults)) {
        Py_ssize_t nd = PyTuple_GET_SIZE(defaults);
        for (Py_ssize_t j = 0; j < nd && j < self->npositional; j++) {
            PyObject *d = PyTuple_GET_ITEM(defaults, j);
            Py_INCREF(d);
            self->defaults[self->npositional - nd + j] = d;
        }
    }
    if (PyDict_Check(kwdefaults)) {
        for (int i = self->npositional; i < fn->nparams; i++) {
            PyObject *d = PyDict_GetItemString(kwdefaults, fn->params[i].name);
            Py_XINCREF(d);
            self->defaults[i] = d;
        }
    }
    Py_DECREF(defaults);
    Py_DECREF(kwdefaults);
    static const char *const copied[] = {"__module__", "__name__", "__qualname__", "__doc__",
                                         "__annotations__"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        PyObject *value = PyObject_GetAttrString(python, copied[i]);
        if (value == NULL) {
            goto fail_no_defaults;
        }
        int rc = PyObject_SetAttrString((PyObject *)self, copied[i], value);
        Py_DECREF(value);
        if (rc < 0) {
            goto fail_no_defaults;
        }
    }
    if (PyObject_SetAttrString((PyObject *)self, "__wrapped__", python) < 0) {
        goto fail_no_defaults;
    }
    return (PyObject *)self;
fail:
    Py_XDECREF(defaults);
fail_no_defaults:
    Py_DECREF(self);
    return NULL;
}

static PyMethodDef vix_module_methods[] = {
    {"open", vix_open, METH_O, "Loads the library at a path; returns its handle."},
    {"bind", vix_bind, METH_VARARGS,
     "Looks up every symbol in a handle; returns the missing ones."},
    {"function", vix_make_function, METH_VARARGS,
     "The compiled twin of a Python function or method of api."},
    {"register", vix_register, METH_VARARGS,
     "Registers the Python class of a class of the package."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef vix_module = {
    PyModuleDef_HEAD_INIT,
    VIX_MODULE_NAME,
    "The compiled backend of the package: the functions and classes of api, calling the library "
    "directly. Loaded by _vix_base, never imported on its own.",
    -1,
    vix_module_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

#define VIX_CONCAT2(a, b) a##b
#define VIX_CONCAT(a, b) VIX_CONCAT2(a, b)

/* Exported explicitly: the module is built with -fvisibility=hidden, and CPython 3.8's
 * PyMODINIT_FUNC does not say "default" itself (3.9's does). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((visibility("default")))
#endif
PyMODINIT_FUNC VIX_CONCAT(PyInit_, VIX_MODULE)(void) {
    if (PyType_Ready(&vix_function_type) < 0 || PyType_Ready(&vix_handle_type) < 0) {
        return NULL;
    }
    vix_init_name = PyUnicode_InternFromString("__init__");
    if (vix_init_name == NULL) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&vix_module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&vix_handle_type);
    if (PyModule_AddObject(m, "Handle", (PyObject *)&vix_handle_type) < 0) {
        Py_DECREF(&vix_handle_type);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddStringConstant(m, "GENERATED_FROM", VIX_GENERATED_FROM) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
