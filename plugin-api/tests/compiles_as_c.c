/* Compiled with -std=c99 -pedantic -Werror: the ABI header is plain C. */
#include "connector_host/plugin_api.h"

static size_t chp_abi_c_check_sizes(void) {
  chp_plugin plugin;
  plugin.struct_size = (uint32_t)sizeof plugin;
  return sizeof(chp_host) + sizeof(chp_http_request) +
         (size_t)CHP_HAS_MEMBER(&plugin, chp_plugin, destroy);
}

size_t chp_abi_c_check(void) { return chp_abi_c_check_sizes(); }
