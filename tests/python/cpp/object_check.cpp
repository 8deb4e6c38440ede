// object_check.cpp - unit checks of the object helpers of include/vix/ffi/vix_ffi.hpp
// (vix::ffi::object, VIX_FFI_OBJECT, make_object, value_method, no_result_method,
// sized_method, bytes_method, object_method, free_object, object_input and the optional
// inputs), compiled and run by test_cpp_object_helper.py with -std=c++17 and every warning
// as an error, with each compiler found, and once more under AddressSanitizer and
// UndefinedBehaviorSanitizer (which also see a leaked or doubly freed handle). Prints one
// line per failed check; exits 1 if any failed. -DOBJECT_CHECK_LEAKY_FREE builds a free
// that leaks, to show that the checks can fail.
#include <vix/ffi/vix_ffi.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

int failures = 0;

#define CHECK(cond)                                                                                                   \
    do {                                                                                                              \
        if (!(cond)) {                                                                                                \
            std::printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                     \
            ++failures;                                                                                               \
        }                                                                                                             \
    } while (0)

#define CHECK_EQ_STR(actual, expected)                                                                                \
    do {                                                                                                              \
        const std::string a_ = (actual);                                                                              \
        const std::string e_ = (expected);                                                                            \
        if (a_ != e_) {                                                                                               \
            std::printf("%s:%d: check failed: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual,          \
                        a_.c_str(), e_.c_str());                                                                      \
            ++failures;                                                                                               \
        }                                                                                                             \
    } while (0)

constexpr std::int32_t kSentinel = -12345;
constexpr vix::ffi::library_code kLocked{1003};

std::string text_of(const vix_str &s) { return s.len == 0 ? std::string() : std::string(s.ptr, s.len); }

const std::uint8_t *bytes(const char *s) { return reinterpret_cast<const std::uint8_t *>(s); }

vix_status fresh_status()
{
    vix_status st;
    st.code = kSentinel;
    st.message.ptr = "sentinel";
    st.message.len = 8;
    return st;
}

std::atomic<int> alive{0};
std::atomic<int> built{0};

// A class that can be neither copied nor moved: the helpers must build it in place.
class counter {
public:
    explicit counter(std::string name, std::int64_t start = 0) : name_(std::move(name)), value_(start)
    {
        if (name_ == "refuse") {
            throw std::invalid_argument("refused name");
        }
        ++alive;
        ++built;
    }
    counter(const counter &) = delete;
    counter(counter &&) = delete;
    counter &operator=(const counter &) = delete;
    counter &operator=(counter &&) = delete;
    ~counter() { --alive; }

    std::int64_t value() const noexcept { return value_.load(); }
    void add(std::int64_t n) noexcept { value_ += n; }
    const std::string &name() const noexcept { return name_; }

private:
    std::string name_;
    std::atomic<std::int64_t> value_;
};

// A second class, for methods that return an object of another class.
struct snapshot {
    std::int64_t value;
    std::string name;
};

// A class whose destructor throws: free_object() must swallow it and still free.
std::atomic<int> throwing_dtors{0};
struct throws_on_destroy {
    int unused = 0;
    ~throws_on_destroy() noexcept(false)
    {
        ++throwing_dtors;
        throw std::runtime_error("destructor");
    }
};

} // namespace

// The handle structs, at global scope as the C declarations put them.
VIX_FFI_OBJECT(chk_counter, counter);
VIX_FFI_OBJECT(chk_snapshot, snapshot);
VIX_FFI_OBJECT(chk_throwing, throws_on_destroy);

// By hand, as the documentation shows it.
struct chk_manual final : vix::ffi::object<std::vector<int>> {
    using vix::ffi::object<std::vector<int>>::object;
};

struct not_a_handle {
    using value_type = int;
};

static_assert(vix::ffi::is_handle_v<chk_counter>);
static_assert(vix::ffi::is_handle_v<chk_manual>);
static_assert(!vix::ffi::is_handle_v<int>);
static_assert(!vix::ffi::is_handle_v<not_a_handle>);
static_assert(!vix::ffi::is_handle_v<counter>);
static_assert(std::is_same_v<chk_counter::value_type, counter>);
static_assert(!std::is_copy_constructible_v<chk_counter> && !std::is_move_constructible_v<chk_counter>);
static_assert(!std::is_copy_assignable_v<chk_counter>);
// The base's destructor is protected: no one deletes a handle through the base.
static_assert(!std::is_destructible_v<vix::ffi::object<counter>>);
static_assert(std::is_destructible_v<chk_counter>);

namespace {

using vix::ffi::byte_span;
using vix::ffi::byte_view;
using vix::ffi::input;
using vix::ffi::object_input;

/* ---- the library: exported functions written as an author would -------------------- */

// chk_counter_new(name: str, start: int64) -> counter
int counter_new(const std::uint8_t *name_ptr, std::size_t name_len, std::int64_t start, chk_counter **out_handle,
                vix_status *out_status) noexcept
{
    return vix::ffi::make_object(
        out_handle, out_status,
        [start](byte_view name) {
            if (name.chars() == "alloc") {
                throw std::bad_alloc();
            }
            if (name.chars() == "locked") {
                throw vix::ffi::library_error(kLocked, "the name is locked");
            }
            if (name.chars() == "int") {
                throw 42;
            }
            return counter(std::string(name.chars()), start);
        },
        input{name_ptr, name_len, "name"});
}

int body_calls = 0;

int counter_value(chk_counter *self, std::int64_t *out_value, vix_status *out_status) noexcept
{
    return vix::ffi::value_method(self, out_value, out_status, [](counter &c) {
        ++body_calls;
        return c.value();
    });
}

int counter_is_zero(chk_counter *self, bool *out_value, vix_status *out_status) noexcept
{
    return vix::ffi::value_method(self, out_value, out_status, [](counter &c) { return c.value() == 0; });
}

// ratio(divisor: double) -> double; domain_error for 0.
int counter_ratio(chk_counter *self, double divisor, double *out_value, vix_status *out_status) noexcept
{
    return vix::ffi::value_method(self, out_value, out_status, [divisor](counter &c) {
        ++body_calls;
        if (divisor == 0.0) {
            throw std::domain_error("divisor is zero");
        }
        return static_cast<double>(c.value()) / divisor;
    });
}

// add(n: int64) -> self
int counter_add(chk_counter *self, std::int64_t n, vix_status *out_status) noexcept
{
    return vix::ffi::no_result_method(self, out_status, [n](counter &c) {
        ++body_calls;
        c.add(n);
    });
}

// add_text(a: str, other: counter, b: str) -> none: adds the lengths and other's value,
// with an object input between two bytes inputs.
int counter_add_mixed(chk_counter *self, const std::uint8_t *a_ptr, std::size_t a_len, chk_counter *other,
                      const std::uint8_t *b_ptr, std::size_t b_len, vix_status *out_status) noexcept
{
    return vix::ffi::no_result_method(
        self, out_status,
        [](counter &c, byte_view a, counter &o, byte_view b) {
            ++body_calls;
            const std::int64_t theirs = o.value(); /* read first: o may be c */
            c.add(static_cast<std::int64_t>(a.size() * 100 + b.size()) + theirs);
        },
        input{a_ptr, a_len, "a"}, object_input{other, "other"}, input{b_ptr, b_len, "b"});
}

int counter_absorb_unnamed(chk_counter *self, chk_counter *other, vix_status *out_status) noexcept
{
    return vix::ffi::no_result_method(
        self, out_status, [](counter &c, counter &o) { c.add(o.value()); }, object_input{other, nullptr});
}

int size_calls = 0;
int write_calls = 0;

// name() -> str, size known first.
int counter_name(chk_counter *self, std::uint8_t *out_ptr, std::size_t out_cap, std::size_t *out_len,
                 vix_status *out_status) noexcept
{
    return vix::ffi::sized_method(
        self, {out_ptr, out_cap, out_len}, out_status,
        [](counter &c) {
            ++size_calls;
            return c.name().size();
        },
        [](counter &c, byte_span out) {
            ++write_calls;
            if (!out.empty()) {
                std::memcpy(out.data(), c.name().data(), out.size());
            }
        });
}

// describe(prefix: str) -> str, size known after the work.
int counter_describe(chk_counter *self, const std::uint8_t *prefix_ptr, std::size_t prefix_len, std::uint8_t *out_ptr,
                     std::size_t out_cap, std::size_t *out_len, vix_status *out_status) noexcept
{
    return vix::ffi::bytes_method(
        self, {out_ptr, out_cap, out_len}, out_status,
        [](counter &c, byte_view prefix) {
            ++body_calls;
            return std::string(prefix.chars()) + c.name() + "=" + std::to_string(c.value());
        },
        input{prefix_ptr, prefix_len, "prefix"});
}

// optional(key: bytes | None, other: counter | None) -> str: which were given.
int counter_optional(chk_counter *self, const std::uint8_t *key_ptr, std::size_t key_len, chk_counter *other,
                     std::uint8_t *out_ptr, std::size_t out_cap, std::size_t *out_len, vix_status *out_status) noexcept
{
    return vix::ffi::bytes_method(
        self, {out_ptr, out_cap, out_len}, out_status,
        [](counter &, std::optional<byte_view> key, counter *o) {
            std::string r = key ? "key[" + std::string(key->chars()) + "]" : std::string("no key");
            r += o != nullptr ? "+" + std::to_string(o->value()) : std::string("+none");
            return r;
        },
        vix::ffi::optional_input{key_ptr, key_len, "key"}, vix::ffi::optional_object_input{other, "other"});
}

// copy() -> counter
int counter_copy(chk_counter *self, chk_counter **out_handle, vix_status *out_status) noexcept
{
    return vix::ffi::object_method(self, out_handle, out_status, [](counter &c) {
        ++body_calls;
        return counter(c.name() + "'", c.value());
    });
}

// snapshot(tag: str) -> snapshot: an object of another class; "fail" throws.
int counter_snapshot(chk_counter *self, const std::uint8_t *tag_ptr, std::size_t tag_len, chk_snapshot **out_handle,
                     vix_status *out_status) noexcept
{
    return vix::ffi::object_method(
        self, out_handle, out_status,
        [](counter &c, byte_view tag) {
            if (tag.chars() == "fail") {
                throw std::runtime_error("no snapshot");
            }
            return snapshot{c.value(), std::string(tag.chars())};
        },
        input{tag_ptr, tag_len, "tag"});
}

// With -DOBJECT_CHECK_LEAKY_FREE, a broken free that the checks must notice.
#ifdef OBJECT_CHECK_LEAKY_FREE
void counter_free(chk_counter *self) noexcept { static_cast<void>(self); }
#else
void counter_free(chk_counter *self) noexcept { vix::ffi::free_object(self); }
#endif
void snapshot_free(chk_snapshot *self) noexcept { vix::ffi::free_object(self); }

/* ---- checks ------------------------------------------------------------------------ */

chk_counter *make(const char *name, std::int64_t start = 0)
{
    chk_counter *h = nullptr;
    vix_status st = fresh_status();
    const int rc = counter_new(bytes(name), std::strlen(name), start, &h, &st);
    CHECK(rc == 0 && st.code == 0 && h != nullptr);
    return h;
}

void constructor_checks()
{
    const int before = alive.load();
    const int built_before = built.load();

    chk_counter *h = nullptr;
    vix_status st = fresh_status();
    CHECK(counter_new(bytes("abc"), 3, 5, &h, &st) == 0);
    CHECK(st.code == 0 && h != nullptr);
    CHECK(alive.load() == before + 1);
    CHECK(built.load() == built_before + 1); /* built once, in place */
    CHECK(h->get().value() == 5 && h->get().name() == "abc");
    counter_free(h);
    CHECK(alive.load() == before);

    /* NULL out_handle: refused before make runs. */
    st = fresh_status();
    CHECK(counter_new(bytes("abc"), 3, 0, nullptr, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "out_handle is NULL");
    CHECK(built.load() == built_before + 1);

    /* A bad input: refused, *out_handle untouched. */
    chk_counter *const untouched = reinterpret_cast<chk_counter *>(std::uintptr_t{0x1234});
    h = untouched;
    st = fresh_status();
    CHECK(counter_new(nullptr, 2, 0, &h, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "name_ptr is NULL but name_len is 2");
    CHECK(h == untouched);

    /* An empty input with a NULL pointer is fine. */
    h = nullptr;
    CHECK(counter_new(nullptr, 0, 0, &h, nullptr) == 0 && h != nullptr);
    counter_free(h);

    /* Exceptions from make and from the constructor: mapped, nothing written or leaked. */
    struct expectation {
        const char *name;
        std::int32_t code;
        const char *message;
    };
    const expectation cases[] = {
        {"refuse", VIX_STATUS_INVALID_ARG, "std::invalid_argument: refused name"},
        {"alloc", vix::ffi::bad_alloc_code, "std::bad_alloc: out of memory"},
        {"locked", 1003, "the name is locked"},
        {"int", VIX_STATUS_ERROR, "unknown C++ exception (not derived from std::exception)"},
    };
    for (const expectation &e : cases) {
        h = untouched;
        st = fresh_status();
        const int rc = counter_new(bytes(e.name), std::strlen(e.name), 0, &h, &st);
        CHECK(rc == e.code && st.code == e.code);
        CHECK_EQ_STR(text_of(st.message), e.message);
        CHECK(h == untouched);
        CHECK(alive.load() == before);
    }
    /* No status pointer: the code is still returned. */
    CHECK(counter_new(bytes("refuse"), 6, 0, &h, nullptr) == VIX_STATUS_INVALID_ARG);
    CHECK(h == untouched);
}

void value_method_checks()
{
    chk_counter *h = make("v", 7);
    std::int64_t value = 0;
    vix_status st = fresh_status();
    CHECK(counter_value(h, &value, &st) == 0 && st.code == 0 && value == 7);

    /* NULL self: INVALID_ARG first, the body never runs, the output is untouched. */
    body_calls = 0;
    value = -1;
    st = fresh_status();
    CHECK(counter_value(nullptr, &value, &st) == VIX_STATUS_INVALID_ARG);
    CHECK(st.code == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "self is NULL");
    CHECK(value == -1 && body_calls == 0);
    CHECK(counter_value(nullptr, nullptr, nullptr) == VIX_STATUS_INVALID_ARG);

    /* The typed helper's own checks still apply. */
    st = fresh_status();
    CHECK(counter_value(h, nullptr, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "out_value is NULL");
    CHECK(body_calls == 0);

    bool zero = true;
    CHECK(counter_is_zero(h, &zero, &st) == 0 && zero == false);

    double ratio = -1.0;
    CHECK(counter_ratio(h, 2.0, &ratio, &st) == 0 && ratio == 3.5);
    ratio = -1.0;
    st = fresh_status();
    CHECK(counter_ratio(h, 0.0, &ratio, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "std::domain_error: divisor is zero");
    CHECK(ratio == -1.0); /* written on success only */
    counter_free(h);
}

void no_result_method_checks()
{
    chk_counter *h = make("n");
    chk_counter *other = make("o", 1000);
    vix_status st = fresh_status();
    CHECK(counter_add(h, 5, &st) == 0 && st.code == 0 && h->get().value() == 5);

    body_calls = 0;
    st = fresh_status();
    CHECK(counter_add(nullptr, 5, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "self is NULL");
    CHECK(body_calls == 0);

    /* Inputs in the order of the C parameters, an object among them. */
    CHECK(counter_add_mixed(h, bytes("ab"), 2, other, bytes("xyz"), 3, &st) == 0);
    CHECK(h->get().value() == 5 + 203 + 1000);
    CHECK(other->get().value() == 1000);

    /* The object input may be self. */
    const std::int64_t now = h->get().value();
    CHECK(counter_add_mixed(h, nullptr, 0, h, nullptr, 0, &st) == 0);
    CHECK(h->get().value() == 2 * now);

    /* A NULL object input: INVALID_ARG with its name, before the body. */
    body_calls = 0;
    st = fresh_status();
    CHECK(counter_add_mixed(h, bytes("a"), 1, nullptr, bytes("b"), 1, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "other is NULL");
    CHECK(body_calls == 0);
    /* Inputs are checked in order: the bad bytes input before the NULL object. */
    st = fresh_status();
    CHECK(counter_add_mixed(h, nullptr, 4, nullptr, nullptr, 0, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "a_ptr is NULL but a_len is 4");
    st = fresh_status();
    CHECK(counter_absorb_unnamed(h, nullptr, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "object is NULL");
    /* NULL self wins over a NULL object input. */
    st = fresh_status();
    CHECK(counter_absorb_unnamed(nullptr, nullptr, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "self is NULL");

    counter_free(h);
    counter_free(other);
}

void bytes_method_checks()
{
    chk_counter *h = make("a name", 3);
    std::uint8_t buf[32];
    std::memset(buf, 0xA5, sizeof buf);
    std::size_t out_len = 999;
    vix_status st = fresh_status();

    /* A size query: BUFFER_TOO_SMALL with the size, write never runs. */
    size_calls = write_calls = 0;
    CHECK(counter_name(h, nullptr, 0, &out_len, &st) == VIX_STATUS_BUFFER_TOO_SMALL);
    CHECK(out_len == 6 && size_calls == 1 && write_calls == 0);
    CHECK(counter_name(h, buf, 5, &out_len, &st) == VIX_STATUS_BUFFER_TOO_SMALL);
    CHECK(out_len == 6 && buf[0] == 0xA5 && write_calls == 0);
    CHECK(counter_name(h, buf, sizeof buf, &out_len, &st) == 0);
    CHECK(out_len == 6 && std::memcmp(buf, "a name", 6) == 0 && buf[6] == 0xA5);

    /* NULL self: nothing runs and nothing is written, *out_len included. */
    size_calls = 0;
    out_len = 999;
    st = fresh_status();
    CHECK(counter_name(nullptr, buf, sizeof buf, &out_len, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "self is NULL");
    CHECK(out_len == 999 && size_calls == 0);
    st = fresh_status();
    CHECK(counter_name(h, buf, sizeof buf, nullptr, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "out_len is NULL");

    /* Size known after the work. */
    std::memset(buf, 0xA5, sizeof buf);
    CHECK(counter_describe(h, bytes("> "), 2, buf, sizeof buf, &out_len, &st) == 0);
    CHECK(out_len == 10 && std::memcmp(buf, "> a name=3", 10) == 0);
    CHECK(counter_describe(h, bytes("> "), 2, buf, 4, &out_len, &st) == VIX_STATUS_BUFFER_TOO_SMALL);
    CHECK(out_len == 10);
    body_calls = 0;
    out_len = 999;
    CHECK(counter_describe(nullptr, bytes("> "), 2, buf, sizeof buf, &out_len, &st) == VIX_STATUS_INVALID_ARG);
    CHECK(out_len == 999 && body_calls == 0);
    st = fresh_status();
    CHECK(counter_describe(h, nullptr, 1, buf, sizeof buf, &out_len, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "prefix_ptr is NULL but prefix_len is 1");
    counter_free(h);
}

void optional_input_checks()
{
    chk_counter *h = make("opt", 1);
    chk_counter *other = make("other", 42);
    char buf[64];
    std::uint8_t *const out = reinterpret_cast<std::uint8_t *>(buf);
    std::size_t n = 0;
    vix_status st = fresh_status();
    const auto text = [&] { return std::string(buf, n); };

    CHECK(counter_optional(h, nullptr, 0, nullptr, out, sizeof buf, &n, &st) == 0);
    CHECK_EQ_STR(text(), "no key+none");
    /* An empty value is not None: its pointer is not NULL. */
    CHECK(counter_optional(h, bytes(""), 0, other, out, sizeof buf, &n, &st) == 0);
    CHECK_EQ_STR(text(), "key[]+42");
    CHECK(counter_optional(h, bytes("ab"), 2, h, out, sizeof buf, &n, &st) == 0);
    CHECK_EQ_STR(text(), "key[ab]+1");
    st = fresh_status();
    CHECK(counter_optional(h, nullptr, 3, nullptr, out, sizeof buf, &n, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "key_ptr is NULL but key_len is 3");
    counter_free(h);
    counter_free(other);
}

void object_method_checks()
{
    const int before = alive.load();
    chk_counter *h = make("c", 11);
    chk_counter *copy = nullptr;
    vix_status st = fresh_status();
    CHECK(counter_copy(h, &copy, &st) == 0 && copy != nullptr && copy != h);
    CHECK(copy->get().value() == 11 && copy->get().name() == "c'");
    copy->get().add(1);
    CHECK(h->get().value() == 11); /* independent */

    chk_counter *const untouched = reinterpret_cast<chk_counter *>(std::uintptr_t{0x5678});
    chk_counter *out = untouched;
    body_calls = 0;
    st = fresh_status();
    CHECK(counter_copy(nullptr, &out, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "self is NULL");
    CHECK(out == untouched && body_calls == 0);
    st = fresh_status();
    CHECK(counter_copy(h, nullptr, &st) == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "out_handle is NULL");
    CHECK(body_calls == 0);

    /* An object of another class. */
    chk_snapshot *snap = nullptr;
    CHECK(counter_snapshot(h, bytes("t1"), 2, &snap, &st) == 0 && snap != nullptr);
    CHECK(snap->get().value == 11 && snap->get().name == "t1");
    chk_snapshot *const no_snap = reinterpret_cast<chk_snapshot *>(std::uintptr_t{0x9abc});
    chk_snapshot *failed = no_snap;
    st = fresh_status();
    CHECK(counter_snapshot(h, bytes("fail"), 4, &failed, &st) == VIX_STATUS_ERROR);
    CHECK_EQ_STR(text_of(st.message), "std::runtime_error: no snapshot");
    CHECK(failed == no_snap);

    snapshot_free(snap);
    counter_free(copy);
    counter_free(h);
    CHECK(alive.load() == before);
}

void free_checks()
{
    const int before = alive.load();
    counter_free(nullptr); /* nothing */
    snapshot_free(nullptr);
    vix::ffi::free_object(static_cast<chk_manual *>(nullptr));
    CHECK(alive.load() == before);

    chk_counter *h = make("f");
    CHECK(alive.load() == before + 1);
    counter_free(h);
    CHECK(alive.load() == before);

    /* A destructor that throws: swallowed, and the memory is released (ASan checks). */
    chk_throwing *t = nullptr;
    CHECK(vix::ffi::make_object(&t, nullptr, [] { return throws_on_destroy{}; }) == 0);
    throwing_dtors = 0;
    vix::ffi::free_object(t);
    CHECK(throwing_dtors.load() == 1);

    /* A handle written by hand works like the macro's. */
    chk_manual *m = nullptr;
    CHECK(vix::ffi::make_object(&m, nullptr, [] { return std::vector<int>{1, 2, 3}; }) == 0);
    std::size_t n = 0;
    CHECK(vix::ffi::value_method(m, &n, nullptr, [](std::vector<int> &v) { return v.size(); }) == 0 && n == 3);
    vix::ffi::free_object(m);
}

void threads()
{
    /* One handle per thread, all at once: results and messages stay per thread. */
    std::vector<std::thread> pool;
    std::atomic<int> bad{0};
    for (int t = 0; t < 8; ++t) {
        pool.emplace_back([t, &bad] {
            chk_counter *h = nullptr;
            const std::string name = "t" + std::to_string(t);
            if (counter_new(bytes(name.c_str()), name.size(), 0, &h, nullptr) != 0) {
                ++bad;
                return;
            }
            for (int i = 0; i < 2000; ++i) {
                vix_status st;
                double r = 0;
                if (counter_add(h, t + 1, &st) != 0 || counter_ratio(h, 0.0, &r, &st) != VIX_STATUS_INVALID_ARG ||
                    text_of(st.message) != "std::domain_error: divisor is zero") {
                    ++bad;
                }
            }
            std::int64_t v = 0;
            if (counter_value(h, &v, nullptr) != 0 || v != 2000 * (t + 1)) {
                ++bad;
            }
            counter_free(h);
        });
    }
    for (std::thread &th : pool) {
        th.join();
    }
    CHECK(bad.load() == 0);
}

} // namespace

int main()
{
    constructor_checks();
    value_method_checks();
    no_result_method_checks();
    bytes_method_checks();
    optional_input_checks();
    object_method_checks();
    free_checks();
    threads();
    CHECK(alive.load() == 0);
    if (failures == 0) {
        std::printf("object_check: all checks passed\n");
    }
    return failures == 0 ? 0 : 1;
}
