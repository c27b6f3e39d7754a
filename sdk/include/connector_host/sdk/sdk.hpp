// Umbrella header of the connector-host C++ SDK: include this and write a chp::Connector.
// See sdk/README.md for the compatibility promise and a walkthrough.
#ifndef CONNECTOR_HOST_SDK_SDK_HPP_
#define CONNECTOR_HOST_SDK_SDK_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/config.hpp>
#include <connector_host/sdk/connector.hpp>
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/grant.hpp>
#include <connector_host/sdk/http/authenticator.hpp>
#include <connector_host/sdk/http/form.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/plugin.hpp>
#include <connector_host/sdk/stream.hpp>
#include <connector_host/sdk/transaction.hpp>

#endif  // CONNECTOR_HOST_SDK_SDK_HPP_
