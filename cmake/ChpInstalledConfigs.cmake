# Install-time step (cmake --install, CPack): in the installed example configs, a plugin_dirs
# line pointing into a build tree (../build/dev/plugins, there so that check-config works on a
# checkout) is commented out, so that the installed host's default plugin folder applies.
# Inputs: CHP_INSTALLED_CONFIGS_DIR, CHP_INSTALL_PLUGINDIR.
file(GLOB _chp_yaml "${CHP_INSTALLED_CONFIGS_DIR}/*.yaml")
foreach(_chp_file IN LISTS _chp_yaml)
  file(READ "${_chp_file}" _chp_text)
  string(REGEX REPLACE "\n( *)plugin_dirs: *\\[[^]\n]*build/[^]\n]*\\]"
    "\n\\1# plugin_dirs: the default, <prefix>/${CHP_INSTALL_PLUGINDIR} beside the installed binary"
    _chp_text "${_chp_text}")
  file(WRITE "${_chp_file}" "${_chp_text}")
endforeach()
