// The plugin's single export. Kept in its own file so that unit tests can link the connector
// class without defining chp_plugin_entry.
#include "json_mirror.hpp"

CHP_DECLARE_PLUGIN(json_mirror::JsonMirror)
