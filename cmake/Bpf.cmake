# Builds CO-RE BPF objects and embeds them as libbpf skeletons.
#
#   kpulse_bpf_vmlinux(OUT_DIR)          -> ${OUT_DIR}/vmlinux.h from the build host's BTF
#   kpulse_bpf_skeleton(NAME SRC DEPS..) -> ${BPF_OUT}/NAME.skel.h, target NAME_skel

find_program(BPF_CLANG NAMES clang clang-16 clang-15 clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(KPULSE_BTF_SOURCE "/sys/kernel/btf/vmlinux" CACHE FILEPATH
    "Kernel BTF used to generate vmlinux.h")

function(kpulse_bpf_vmlinux out_dir)
  if(NOT EXISTS ${KPULSE_BTF_SOURCE})
    message(FATAL_ERROR
      "kpulse: ${KPULSE_BTF_SOURCE} does not exist: this build host's kernel has no BTF "
      "(CONFIG_DEBUG_INFO_BTF). Build on a kernel with BTF, or pass "
      "-DKPULSE_BTF_SOURCE=/path/to/vmlinux-with-btf.")
  endif()
  add_custom_command(
    OUTPUT ${out_dir}/vmlinux.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${BPFTOOL} btf dump file ${KPULSE_BTF_SOURCE} format c > ${out_dir}/vmlinux.h.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${out_dir}/vmlinux.h.tmp ${out_dir}/vmlinux.h
    COMMENT "Generating vmlinux.h from ${KPULSE_BTF_SOURCE}"
    VERBATIM)
endfunction()

function(kpulse_bpf_skeleton name src)
  set(obj ${BPF_OUT}/${name}.bpf.o)
  set(skel ${BPF_OUT}/${name}.skel.h)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|amd64")
    set(arch x86)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
    set(arch arm64)
  else()
    set(arch ${CMAKE_SYSTEM_PROCESSOR})
  endif()
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${arch}
            -I${BPF_OUT} -I${CMAKE_CURRENT_SOURCE_DIR} -I${CMAKE_SOURCE_DIR}
            -Wall -Werror -Wno-unused-function
            -c ${CMAKE_CURRENT_SOURCE_DIR}/${src} -o ${obj}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${src} ${BPF_OUT}/vmlinux.h ${ARGN}
    COMMENT "BPF ${src}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "Skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_skel DEPENDS ${skel})
endfunction()
