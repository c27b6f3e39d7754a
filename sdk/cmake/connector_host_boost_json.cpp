// Boost.JSON's implementation for a plugin built against the installed ConnectorHostSDK package.
// ConnectorHostSDKConfig.cmake adds this file to every target that links ConnectorHost::sdk, so
// Boost.JSON is used header-only (its documented mode: <boost/json/src.hpp> in exactly one
// translation unit) and the plugin needs no libboost_json at run time. Do not include
// <boost/json/src.hpp> in your own sources as well.
#include <boost/json/src.hpp>
