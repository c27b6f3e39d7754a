// The plugin's single export, apart so the unit tests can link the class without it.
#include "paged_rest.hpp"

CHP_DECLARE_PLUGIN(paged_rest::PagedRest)
