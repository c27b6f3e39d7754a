// The plugin's single export, apart from the connector so unit tests can link the class
// without defining chp_plugin_entry.
#include "rollworks_connector.hpp"

CHP_DECLARE_PLUGIN(rollworks::RollworksConnector)
