# The Debian package (scripts/package): CPack's DEB generator over the install components
# `host` and `plugins` (the SDK is for plugin authors and stays out), in one package whose
# dependencies dpkg-shlibdeps computes from the binaries.
set(CPACK_PACKAGE_NAME connector-host)
set(CPACK_PACKAGE_VENDOR "connector-host")
set(CPACK_PACKAGE_CONTACT "connector-host maintainers <connector-host@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Host process for SaaS connector plugins (Salesforce, Microsoft Graph, RollWorks)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL host plugins)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The plugins are dlopen()ed, not linked: dpkg-shlibdeps reads them too (they are in the
# package), so their libraries (libssl, libcurl...) become dependencies as well.
include(CPack)
