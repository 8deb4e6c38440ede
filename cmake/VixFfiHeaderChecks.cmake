# VixFfiHeaderChecks.cmake - compile each public header on its own, as C11 (the C
# headers) and as C++17 (all of them), with warnings as errors. A header that needs
# another include first, uses a C++-only construct in C, or warns, fails the build.
# Used by the top-level CMakeLists.txt; not installed.

function(vix_ffi_add_header_checks)
    set(include_dir "${PROJECT_SOURCE_DIR}/include/vix/ffi")
    set(out_dir "${PROJECT_BINARY_DIR}/header_checks")
    file(GLOB c_headers RELATIVE "${include_dir}" CONFIGURE_DEPENDS "${include_dir}/*.h")
    file(GLOB cxx_headers RELATIVE "${include_dir}" CONFIGURE_DEPENDS "${include_dir}/*.hpp")

    set(sources "")
    foreach(header IN LISTS c_headers cxx_headers)
        string(MAKE_C_IDENTIFIER "${header}" stem)
        # Included twice: the include guard must work too.
        set(body "#include <vix/ffi/${header}>\n#include <vix/ffi/${header}>\nint vix_ffi_check_${stem}(void);\nint vix_ffi_check_${stem}(void) { return 0; }\n")
        if(header IN_LIST c_headers)
            file(CONFIGURE OUTPUT "${out_dir}/${stem}.c" CONTENT "${body}" @ONLY)
            list(APPEND sources "${out_dir}/${stem}.c")
        endif()
        file(CONFIGURE OUTPUT "${out_dir}/${stem}.cpp" CONTENT "${body}" @ONLY)
        list(APPEND sources "${out_dir}/${stem}.cpp")
    endforeach()

    add_library(vix_ffi_header_checks OBJECT ${sources})
    target_link_libraries(vix_ffi_header_checks PRIVATE vix::ffi)
    set_target_properties(vix_ffi_header_checks PROPERTIES
        C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
        CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
    target_compile_options(vix_ffi_header_checks PRIVATE
        "$<$<OR:$<COMPILE_LANG_AND_ID:C,GNU,Clang,AppleClang>,$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang>>:-Wall;-Wextra;-Wpedantic;-Wconversion;-Wsign-conversion;-Wshadow;-Werror>"
        "$<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang>:-Wold-style-cast>"
        "$<$<OR:$<COMPILE_LANG_AND_ID:C,MSVC>,$<COMPILE_LANG_AND_ID:CXX,MSVC>>:/W4;/WX>")
endfunction()
