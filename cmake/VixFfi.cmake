# VixFfi.cmake - build a Vix FFI v1 library with CMake.
#
# Brought in by find_package(vix_ffi) or by add_subdirectory() of this repository; both
# also define the INTERFACE target vix::ffi (the headers under include/vix/ffi).
#
#   vix_ffi_add_library(<name>
#       SOURCES <file>...            # required
#       [SYMBOL_PREFIX <prefix>]     # export only symbols starting with <prefix>
#       [OUTPUT_NAME <base>]         # file name lib<base>.so instead of lib<name>.so
#       [BAD_ALLOC_CODE <code>])     # VIX_FFI_BAD_ALLOC_CODE for every source (vix_ffi.hpp)
#
# makes a shared library with the defaults a library loaded by Python through ctypes
# wants:
#
# - position-independent code, linked against vix::ffi, VIX_FFI_BUILD_DLL defined (so
#   VIX_FFI_API means dllexport on Windows);
# - hidden visibility for C and C++, inline functions included: only declarations marked
#   VIX_FFI_API are exported;
# - with SYMBOL_PREFIX, a linker version script (ELF) or exported-symbols list (macOS)
#   keeps everything else local, including the weak template instantiations of the C++
#   standard library, which hidden visibility alone does not catch (libstdc++ marks
#   namespace std as visible). The ABI wants every exported symbol to carry the package
#   prefix anyway, so pass it;
# - C++17 when C++ is enabled (vix_ffi.hpp needs it);
# - warnings on (-Wall -Wextra -Wpedantic, or /W4); -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
#   (CMake 3.24+) turns them into errors;
# - on Linux, undefined symbols are a link error rather than a failure at import time
#   (VIX_FFI_NO_UNDEFINED=OFF turns that off, e.g. for Clang sanitizer builds).
#
# BAD_ALLOC_CODE sets the status code the typed helpers of vix_ffi.hpp report for
# std::bad_alloc (default 1999), once for the whole target so that every translation unit
# agrees: a library code from 1000 to 2147483647, or 1 for a generic VIX_STATUS_ERROR.
#
# Including this module also makes Release the build type when none is given (Debug
# builds of codecs are often ten times slower): set VIX_FFI_DEFAULT_BUILD_TYPE to another
# value, or to an empty string to leave the build type alone.

include_guard(GLOBAL)

set(VIX_FFI_DEFAULT_BUILD_TYPE "Release" CACHE STRING
    "Build type used when CMAKE_BUILD_TYPE is empty (empty: leave it empty)")

option(VIX_FFI_NO_UNDEFINED "vix_ffi_add_library: refuse undefined symbols when linking (Linux)" ON)

get_property(_vix_ffi_multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
if(NOT _vix_ffi_multi_config AND NOT CMAKE_BUILD_TYPE AND VIX_FFI_DEFAULT_BUILD_TYPE)
    message(STATUS "vix_ffi: no CMAKE_BUILD_TYPE given, building ${VIX_FFI_DEFAULT_BUILD_TYPE} "
                   "(pass -DCMAKE_BUILD_TYPE=Debug for a debug build)")
    set(CMAKE_BUILD_TYPE "${VIX_FFI_DEFAULT_BUILD_TYPE}" CACHE STRING
        "Choose the type of build (Debug, Release, RelWithDebInfo, MinSizeRel)" FORCE)
    set_property(CACHE CMAKE_BUILD_TYPE PROPERTY STRINGS Debug Release RelWithDebInfo MinSizeRel)
endif()
unset(_vix_ffi_multi_config)

function(vix_ffi_add_library name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "SYMBOL_PREFIX;OUTPUT_NAME;BAD_ALLOC_CODE" "SOURCES")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "vix_ffi_add_library(${name}): unexpected arguments "
                            "\"${arg_UNPARSED_ARGUMENTS}\" (expected SOURCES, SYMBOL_PREFIX, OUTPUT_NAME, "
                            "BAD_ALLOC_CODE)")
    endif()
    if(DEFINED arg_BAD_ALLOC_CODE)
        if(NOT arg_BAD_ALLOC_CODE MATCHES "^[0-9]+$"
           OR NOT (arg_BAD_ALLOC_CODE STREQUAL "1"
                   OR (arg_BAD_ALLOC_CODE GREATER_EQUAL 1000 AND arg_BAD_ALLOC_CODE LESS_EQUAL 2147483647)))
            message(FATAL_ERROR "vix_ffi_add_library(${name}): BAD_ALLOC_CODE \"${arg_BAD_ALLOC_CODE}\" "
                                "is neither a library status code (1000 to 2147483647) nor 1 (VIX_STATUS_ERROR); "
                                "2 to 999 belong to the ABI")
        endif()
    endif()
    if(NOT arg_SOURCES)
        message(FATAL_ERROR "vix_ffi_add_library(${name}): SOURCES is required")
    endif()
    if(NOT TARGET vix::ffi)
        message(FATAL_ERROR "vix_ffi_add_library(${name}): the target vix::ffi does not exist; "
                            "use find_package(vix_ffi) or add_subdirectory() of the Vix FFI tree first")
    endif()
    if(DEFINED arg_SYMBOL_PREFIX AND NOT arg_SYMBOL_PREFIX MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
        message(FATAL_ERROR "vix_ffi_add_library(${name}): SYMBOL_PREFIX \"${arg_SYMBOL_PREFIX}\" "
                            "is not the start of a C identifier")
    endif()

    add_library(${name} SHARED ${arg_SOURCES})
    target_link_libraries(${name} PRIVATE vix::ffi)
    target_compile_definitions(${name} PRIVATE VIX_FFI_BUILD_DLL)
    if(DEFINED arg_BAD_ALLOC_CODE)
        target_compile_definitions(${name} PRIVATE VIX_FFI_BAD_ALLOC_CODE=${arg_BAD_ALLOC_CODE})
    endif()
    set_target_properties(${name} PROPERTIES
        POSITION_INDEPENDENT_CODE ON
        C_VISIBILITY_PRESET hidden
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON)
    if(arg_OUTPUT_NAME)
        set_target_properties(${name} PROPERTIES OUTPUT_NAME "${arg_OUTPUT_NAME}")
    endif()

    get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
    if("CXX" IN_LIST languages)
        target_compile_features(${name} PRIVATE cxx_std_17)
    endif()

    set(gnu_like "$<OR:$<COMPILE_LANG_AND_ID:C,GNU,Clang,AppleClang>,$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang>>")
    set(msvc_like "$<OR:$<COMPILE_LANG_AND_ID:C,MSVC>,$<COMPILE_LANG_AND_ID:CXX,MSVC>>")
    target_compile_options(${name} PRIVATE
        "$<${gnu_like}:-Wall;-Wextra;-Wpedantic>"
        "$<${msvc_like}:/W4>")

    if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND VIX_FFI_NO_UNDEFINED)
        target_link_options(${name} PRIVATE "LINKER:--no-undefined")
    endif()

    if(DEFINED arg_SYMBOL_PREFIX)
        _vix_ffi_limit_exports(${name} "${arg_SYMBOL_PREFIX}")
    endif()
endfunction()

# Keeps every symbol of <name> local except those starting with <prefix>.
function(_vix_ffi_limit_exports name prefix)
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/vix_ffi_exports")
    if(APPLE)
        set(file "${dir}/${name}.exported")
        file(CONFIGURE OUTPUT "${file}" CONTENT "_${prefix}*\n" @ONLY)
        target_link_options(${name} PRIVATE "LINKER:-exported_symbols_list,${file}")
    elseif(WIN32)
        # PE exports nothing that is not dllexport: VIX_FFI_API already is the list.
        return()
    else()
        set(file "${dir}/${name}.map")
        file(CONFIGURE OUTPUT "${file}"
             CONTENT "/* Generated by vix_ffi_add_library: export ${prefix}* only. */\n{\n  global:\n    ${prefix}*;\n  local:\n    *;\n};\n"
             @ONLY)
        target_link_options(${name} PRIVATE "LINKER:--version-script=${file}")
    endif()
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${file}")
endfunction()
