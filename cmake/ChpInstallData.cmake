# share/connector-host: every file of configs/ (host configs) and of deploy/ (the systemd unit,
# the Kubernetes sidecar example and its host config), globbed so that new examples are
# installed without touching this file, and the README.
file(GLOB _chp_config_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/configs/*)
install(FILES ${_chp_config_files} DESTINATION ${CHP_INSTALL_DATADIR}/configs COMPONENT host)
file(GLOB _chp_deploy_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/deploy/*)
install(FILES ${_chp_deploy_files} DESTINATION ${CHP_INSTALL_DATADIR}/deploy COMPONENT host)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CHP_INSTALL_DATADIR} COMPONENT host)
# The source tree's examples point plugin_dirs at the dev build; the installed copies must use
# the installed plugins (see ChpInstalledConfigs.cmake).
install(CODE "
  set(CHP_INSTALLED_CONFIGS_DIR \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CHP_INSTALL_DATADIR}/configs\")
  set(CHP_INSTALL_PLUGINDIR \"${CHP_INSTALL_PLUGINDIR}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/ChpInstalledConfigs.cmake\")
" COMPONENT host)
