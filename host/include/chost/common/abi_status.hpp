// Mapping between the ABI's chp_status_code values and the host's ErrorClass, so every
// subsystem that calls plugin hooks classifies failures the same way.
#pragma once

#include <connector_host/plugin_api.h>

#include <string>

#include "chost/common/result.hpp"

namespace chost {

// "ok", "transient", "auth_revoked", ... and "invalid(<n>)" for values outside the ABI.
std::string status_name(chp_status_code code);

// The ErrorClass for a failure code. CHP_OK and unknown values (a plugin bug) map to
// kPermanent: retrying a misbehaving plugin will not help.
ErrorClass error_class_of(chp_status_code code);

// The ABI code a host callback returns for an ErrorClass.
chp_status_code status_code_of(ErrorClass cls);

}  // namespace chost
