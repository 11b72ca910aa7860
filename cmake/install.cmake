# cmake --install BUILD --prefix P: what a site needs to run vidclass as a module and to
# link libvidclass from its own code (docs/install.md):
#   P/bin/vidclass-*                     the tools (static libvidclass inside)
#   P/lib/libvidclass.so.*, .a           the library (the .so has run-time dependencies only)
#   P/include/vidclass/*.h               public headers (they need mpi.h)
#   P/lib/pkgconfig/vidclass.pc          pkg-config --cflags --libs vidclass
#   P/lib/cmake/vidclass/                find_package(vidclass) -> vidclass::vidclass
#   P/share/man/man1/vidclass-*.1        man pages made from --help and --version (help2man)
#   P/share/bash-completion/completions/ completion of every tool's flags
#   P/share/vidclass/{configs,slurm}/    the example configs and Slurm scripts
set(vc_tools vidclass-weights vidclass-embed vidclass-pack vidclass-train vidclass-batch vidclass-predict vidclass-results)
install(TARGETS ${vc_tools} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS vidclass_shared EXPORT vidclassTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES $<TARGET_FILE:vidclass> DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vidclass DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

# pkg-config: mpi.h through ompi-c; the static library's dependencies in Requires.private
file(RELATIVE_PATH vc_pc_up /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" vc_pc_up "${vc_pc_up}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/vidclass.pc.in ${PROJECT_BINARY_DIR}/vidclass.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/vidclass.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package
include(CMakePackageConfigHelpers)
install(EXPORT vidclassTargets NAMESPACE vidclass:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vidclass)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vidclassConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vidclassConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vidclass)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vidclassConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/vidclassConfig.cmake ${PROJECT_BINARY_DIR}/vidclassConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vidclass)

# man pages, made at build time from each tool's --help and --version
set(vc_about_vidclass-weights "create and check ResNet50 ImageNet weights files")
set(vc_about_vidclass-embed "ResNet50 features of images into an HDF5 file")
set(vc_about_vidclass-pack "pack class-folder images into one HDF5 training file")
set(vc_about_vidclass-train "train the classification head, data-parallel over MPI ranks")
set(vc_about_vidclass-batch "classify every frame of many videos over MPI ranks into one HDF5 results file")
set(vc_about_vidclass-predict "classify one video and write its labelled copy, as the tutorial's predict_video.py")
set(vc_about_vidclass-results "summarise, export and merge vidclass-batch results files")
find_program(HELP2MAN help2man)
if(VIDCLASS_SANITIZE OR VC_BUILD_FUZZERS)
  # instrumented builds are for testing, never installed; their tools print sanitizer
  # reports at exit unless the test environment's suppressions are set
elseif(HELP2MAN)
  set(vc_man_pages)
  foreach(t ${vc_tools})
    set(page ${PROJECT_BINARY_DIR}/man/${t}.1)
    add_custom_command(OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1 --source=vidclass
              "--name=${vc_about_${t}}" --output=${page} $<TARGET_FILE:${t}>
      DEPENDS ${t} VERBATIM)
    list(APPEND vc_man_pages ${page})
  endforeach()
  add_custom_target(vc_man ALL DEPENDS ${vc_man_pages})
  install(FILES ${vc_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man not found: no man pages (scripts/setup.sh installs it)")
endif()

# bash completion: one script, installed under each tool's name (bash-completion loads by name)
foreach(t ${vc_tools})
  install(FILES ${PROJECT_SOURCE_DIR}/scripts/vidclass-completion.bash
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ${t})
endforeach()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs ${PROJECT_SOURCE_DIR}/slurm DESTINATION ${CMAKE_INSTALL_DATADIR}/vidclass)
