// test_hooks.cpp - libbase64_ffi_cpp_test_hooks, a test-only library (never shipped; built
// with -DBASE64_FFI_CPP_TEST_HOOKS=ON) whose functions fail on demand, so tests can show
// that every kind of C++ exception thrown inside an operation comes back as a status
// with its message instead of aborting the caller.
//
// int base64_cpp_test_run(in_ptr, in_len, out_ptr, out_cap, out_len, out_status)
//   The input is a command, "name" or "name:argument":
//     echo:<text>               success: the output is <text> (vix::ffi::sized)
//     result:<text>             success through vix::ffi::with_result
//     runtime_error:<text>      throws std::runtime_error(<text>) while writing
//     size_error:<text>         throws std::runtime_error(<text>) while sizing
//     result_error:<text>       throws std::runtime_error(<text>) inside with_result
//     invalid_arg:<text>        throws vix::ffi::invalid_arg(<text>)
//     not_supported:<text>      throws vix::ffi::not_supported(<text>)
//     ok_code:<text>            throws vix::ffi::error(VIX_STATUS_OK, <text>)
//     bad_alloc                 throws std::bad_alloc()
//     huge_alloc                asks operator new for 2^62 bytes (a real std::bad_alloc)
//     unknown                   throws an int
//     long:<n>                  throws a runtime_error of <n> two-byte characters
//     lie                       reports more bytes written than the buffer holds
//
// int base64_cpp_test_guard(int32_t what, vix_status *out_status)
//   vix::ffi::guard around: 0 nothing, 1 std::runtime_error, 2 std::bad_alloc,
//   3 an int, 4 vix::ffi::not_supported.
#include <vix/ffi/vix_ffi.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

struct command {
    std::string_view name;
    std::string_view arg;
};

command parse(vix::ffi::byte_view in)
{
    const std::string_view text = in.chars();
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        return {text, {}};
    }
    return {text.substr(0, colon), text.substr(colon + 1)};
}

// Keeps the compiler from proving the size absurd and removing the allocation.
volatile std::size_t huge_size = std::size_t{1} << 62;

[[noreturn]] void fail(const command &cmd)
{
    const std::string arg(cmd.arg);
    if (cmd.name == "runtime_error") {
        throw std::runtime_error(arg);
    }
    if (cmd.name == "invalid_arg") {
        throw vix::ffi::invalid_arg(arg);
    }
    if (cmd.name == "not_supported") {
        throw vix::ffi::not_supported(arg);
    }
    if (cmd.name == "ok_code") {
        throw vix::ffi::error(VIX_STATUS_OK, arg);
    }
    if (cmd.name == "bad_alloc") {
        throw std::bad_alloc();
    }
    if (cmd.name == "huge_alloc") {
        std::unique_ptr<std::uint8_t[]> block(new std::uint8_t[huge_size]);
        block[0] = 1;
        throw std::logic_error("allocating 2^62 bytes unexpectedly succeeded");
    }
    if (cmd.name == "unknown") {
        throw 42;
    }
    if (cmd.name == "long") {
        std::string text;
        for (unsigned long n = std::strtoul(arg.c_str(), nullptr, 10); n > 0; --n) {
            text += "\xc3\xa9"; // U+00E9, two bytes in UTF-8
        }
        throw std::runtime_error(text);
    }
    throw vix::ffi::invalid_arg("unknown test command \"" + std::string(cmd.name) + "\"");
}

} // namespace

extern "C" VIX_FFI_API int VIX_FFI_CALL base64_cpp_test_run(const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr,
                                                             size_t out_cap, size_t *out_len,
                                                             vix_status *out_status) noexcept
{
    const vix::ffi::op_args args{in_ptr, in_len, out_ptr, out_cap, out_len, out_status};
    const command cmd = parse(vix::ffi::byte_view(in_len > 0 ? in_ptr : nullptr, in_len));
    if (cmd.name == "result" || cmd.name == "result_error") {
        return vix::ffi::with_result(args, [&cmd](vix::ffi::byte_view) {
            if (cmd.name == "result_error") {
                throw std::runtime_error(std::string(cmd.arg));
            }
            return std::string(cmd.arg);
        });
    }
    return vix::ffi::sized(
        args,
        [&cmd](vix::ffi::byte_view) -> std::size_t {
            if (cmd.name == "size_error") {
                throw std::runtime_error(std::string(cmd.arg));
            }
            return cmd.name == "echo" ? cmd.arg.size() : 1;
        },
        [&cmd](vix::ffi::byte_view, vix::ffi::byte_span out) -> std::size_t {
            if (cmd.name == "echo") {
                if (!cmd.arg.empty()) {
                    std::memcpy(out.data(), cmd.arg.data(), cmd.arg.size());
                }
                return cmd.arg.size();
            }
            if (cmd.name == "lie") {
                return out.size() + 1;
            }
            fail(cmd);
        });
}

extern "C" VIX_FFI_API int VIX_FFI_CALL base64_cpp_test_guard(int32_t what, vix_status *out_status) noexcept
{
    return vix::ffi::guard(out_status, [what] {
        switch (what) {
        case 1:
            throw std::runtime_error("guard: runtime_error on purpose");
        case 2:
            throw std::bad_alloc();
        case 3:
            throw 7;
        case 4:
            throw vix::ffi::not_supported("guard: not supported on purpose");
        default:
            break;
        }
    });
}
