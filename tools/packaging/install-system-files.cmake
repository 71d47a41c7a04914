# Run by `cmake --install` and by CPack (install(CODE) in CMakeLists.txt): installs the files
# that name other installed paths (systemd units, the backup script), filled in with the
# prefix of *this* install, which CPack sets to /usr for the Debian package.
#   In: KARTIBA_PACKAGING_SOURCE, KARTIBA_PACKAGING_BINARY, CMAKE_INSTALL_PREFIX (and DESTDIR).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(KARTIBA_SYSCONFDIR "/etc")
else()
  set(KARTIBA_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(KARTIBA_BINDIR "${CMAKE_INSTALL_PREFIX}/bin")
set(KARTIBA_LIBDIR "${CMAKE_INSTALL_PREFIX}/lib")
set(KARTIBA_DOCDIR "${CMAKE_INSTALL_PREFIX}/share/doc/kartiba")

set(out "${KARTIBA_PACKAGING_BINARY}/install-time")
file(REMOVE_RECURSE "${out}")
foreach(f kartiba.service kartiba-backup.service)
  configure_file("${KARTIBA_PACKAGING_SOURCE}/systemd/${f}.in" "${out}/systemd/${f}" @ONLY)
endforeach()
configure_file("${KARTIBA_PACKAGING_SOURCE}/systemd/kartiba-backup.timer" "${out}/systemd/kartiba-backup.timer" COPYONLY)
configure_file("${KARTIBA_PACKAGING_SOURCE}/kartiba-backup.in" "${out}/kartiba-backup" @ONLY)

file(INSTALL DESTINATION "${KARTIBA_LIBDIR}/systemd/system" TYPE FILE
  FILES "${out}/systemd/kartiba.service" "${out}/systemd/kartiba-backup.service"
        "${out}/systemd/kartiba-backup.timer")
file(INSTALL DESTINATION "${KARTIBA_LIBDIR}/kartiba" TYPE PROGRAM FILES "${out}/kartiba-backup")
file(INSTALL DESTINATION "${KARTIBA_LIBDIR}/sysusers.d" TYPE FILE
  FILES "${KARTIBA_PACKAGING_SOURCE}/sysusers/kartiba.conf")
file(INSTALL DESTINATION "${KARTIBA_SYSCONFDIR}/default" TYPE FILE
  FILES "${KARTIBA_PACKAGING_SOURCE}/default/kartiba")
