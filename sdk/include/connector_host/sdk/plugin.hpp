// CHP_DECLARE_PLUGIN(T) and the adapter behind it: builds the chp_plugin descriptor from
// T::kInfo, exports chp_plugin_entry, and runs every hook inside a catch-all so that no
// exception crosses the C ABI. chp::Error subclasses become their status class with the
// message attached; any other exception becomes CHP_ERR_PERMANENT.
#ifndef CONNECTOR_HOST_SDK_PLUGIN_HPP_
#define CONNECTOR_HOST_SDK_PLUGIN_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/connector.hpp>
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/detail/abi_str.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/json.hpp>

#include <atomic>
#include <concepts>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>

namespace chp::detail {

// Runs `body` and converts its outcome into a status. noexcept: the last line of defence.
template <typename Body>
chp_status_code guarded(const chp_host* host, chp_call* call, Body&& body) noexcept {
  Call c(host, call);
  try {
    try {
      body();
      return CHP_OK;
    } catch (const Error& e) {
      // A failed host callback already left the host's reason on the call; what() would
      // only replace it with the operation's name.
      if (!e.host_reason_attached()) c.set_error(e.what());
      if (const auto* t = dynamic_cast<const TransientError*>(&e); t && t->retry_after_ms()) {
        c.set_retry_after_ms(*t->retry_after_ms());
      }
      return to_status(e.cls());
    } catch (const std::exception& e) {
      c.set_error(std::string("unexpected error: ") + e.what());
      return CHP_ERR_PERMANENT;
    } catch (...) {
      c.set_error("unexpected non-standard exception");
      return CHP_ERR_PERMANENT;
    }
  } catch (...) {
    // Building the message itself threw (out of memory): still never unwind into the host.
    return CHP_ERR_PERMANENT;
  }
}

template <typename T>
concept ConnectorClass = std::derived_from<T, Connector> &&
    std::constructible_from<T, Context&, const boost::json::object&> && requires {
  { T::kInfo } -> std::convertible_to<PluginInfo>;
};

// A connector with the optional static config check (see ConfigProblems).
template <typename T>
concept HasConfigCheck = requires(const boost::json::object& config, ConfigProblems& problems) {
  T::validate(config, problems);
};

// One PluginAdapter<T> per connector class. The entry point stores the host table here;
// hooks reach it through the instance.
template <ConnectorClass T>
class PluginAdapter {
 public:
  // The body of chp_plugin_entry. The host checks versions (ABI rule); the plugin only
  // refuses a missing host table.
  static const chp_plugin* entry(const chp_host* host, std::uint32_t host_abi) noexcept {
    if (host == nullptr) return nullptr;
    host_.store(host, std::memory_order_release);
    return &kDescriptor;
  }

  static const chp_plugin* descriptor() noexcept { return &kDescriptor; }

 private:
  struct Instance {
    Instance(const chp_host* host, chp_host_ctx* ctx) : host(host), context(host, ctx) {}
    const chp_host* host;
    Context context;  // outlives the connector, which keeps a reference
    std::unique_ptr<T> connector;
    bool disabled = false;  // hooks of one instance never run concurrently (ABI)
  };

  static Instance* self(chp_instance* instance) noexcept {
    return reinterpret_cast<Instance*>(instance);
  }

  static chp_status_code create(chp_host_ctx* ctx, chp_call* call, chp_str config_json,
                                chp_instance** out_instance) noexcept {
    const chp_host* host = host_.load(std::memory_order_acquire);
    if (host == nullptr || out_instance == nullptr) return CHP_ERR_PERMANENT;
    *out_instance = nullptr;
    return guarded(host, call, [&] {
      boost::json::object config =
          parse_object(from_chp(config_json), ErrorClass::kConfig, "config");
      if constexpr (HasConfigCheck<T>) {
        // The check check-config ran: the first problem refuses the config here too.
        ConfigProblems problems;
        T::validate(config, problems);
        if (!problems.empty()) {
          const auto& p = problems.items().front();
          throw ConfigError(
              (p.pointer.empty() ? std::string() : "'" + p.pointer.substr(1) + "': ") + p.message);
        }
      }
      auto instance = std::make_unique<Instance>(host, ctx);
      instance->connector = std::make_unique<T>(instance->context, config);
      *out_instance = reinterpret_cast<chp_instance*>(instance.release());
    });
  }

  using Hook = void (Connector::*)(Call&, const boost::json::object&);

  static chp_status_code run(chp_instance* instance, chp_call* call, chp_str input_json,
                             Hook hook) noexcept {
    if (instance == nullptr) return CHP_ERR_PERMANENT;
    Instance* inst = self(instance);
    return guarded(inst->host, call, [&] {
      // An empty input is an empty object: disable may be called without credentials.
      boost::json::object input;
      if (input_json.len != 0) {
        input = parse_object(from_chp(input_json), ErrorClass::kPermanent, "hook input");
      }
      Call c(inst->host, call);
      ((*inst->connector).*hook)(c, input);
    });
  }

  static chp_status_code authorize(chp_instance* instance, chp_call* call,
                                   chp_str input_json) noexcept {
    chp_status_code status = run(instance, call, input_json, &Connector::authorize);
    if (status == CHP_OK) self(instance)->disabled = false;
    return status;
  }
  static chp_status_code refresh(chp_instance* instance, chp_call* call,
                                 chp_str input_json) noexcept {
    chp_status_code status = run(instance, call, input_json, &Connector::refresh);
    if (status == CHP_OK) self(instance)->disabled = false;
    return status;
  }
  static chp_status_code disable(chp_instance* instance, chp_call* call,
                                 chp_str input_json) noexcept {
    // Idempotent by construction: a second disable is OK without reaching the connector.
    if (instance != nullptr && self(instance)->disabled) return CHP_OK;
    chp_status_code status = run(instance, call, input_json, &Connector::disable);
    if (status == CHP_OK) self(instance)->disabled = true;
    return status;
  }
  static chp_status_code sync(chp_instance* instance, chp_call* call, chp_str input_json) noexcept {
    if (instance != nullptr && self(instance)->disabled) {
      Call(self(instance)->host, call).set_error("instance is disabled; sync refused");
      return CHP_ERR_PERMANENT;
    }
    return run(instance, call, input_json, &Connector::sync);
  }
  static void destroy(chp_instance* instance) noexcept {
    try {
      delete self(instance);
    } catch (...) {
      // A throwing destructor must not unwind into the host; nothing else can be done.
    }
  }

  // ABI 1.4 `validate`: the connector's static check, dry. Problems go to `sink` as
  // {"errors":[{"pointer","message"}]}; a ConfigError thrown by the check is one problem at "".
  static chp_status_code validate(chp_str config_json, chp_sink sink, void* user) noexcept {
    try {
      ConfigProblems problems;
      try {
        boost::json::object config =
            parse_object(from_chp(config_json), ErrorClass::kConfig, "config");
        T::validate(config, problems);
      } catch (const ConfigError& e) {
        problems.add("", e.what());
      }
      if (problems.empty()) return CHP_OK;
      boost::json::array errors;
      for (const auto& p : problems.items()) {
        errors.push_back(boost::json::object{{"pointer", p.pointer}, {"message", p.message}});
      }
      std::string json = boost::json::serialize(boost::json::object{{"errors", errors}});
      if (sink != nullptr) sink(user, to_chp(json));
      return CHP_ERR_CONFIG;
    } catch (...) {
      return CHP_ERR_PERMANENT;  // the check itself failed (not a verdict on the config)
    }
  }
  static constexpr decltype(chp_plugin::validate) validate_hook() noexcept {
    if constexpr (HasConfigCheck<T>) {
      return &validate;
    } else {
      return nullptr;
    }
  }

  static inline std::atomic<const chp_host*> host_{nullptr};

  static constexpr chp_plugin kDescriptor{sizeof(chp_plugin),
                                          CHP_ABI_MAJOR,
                                          CHP_ABI_MINOR,
                                          T::kInfo.name,
                                          T::kInfo.version,
                                          T::kInfo.description,
                                          T::kInfo.config_schema_json,
                                          T::kInfo.capabilities,
                                          &create,
                                          &authorize,
                                          &refresh,
                                          &disable,
                                          &sync,
                                          &destroy,
                                          validate_hook()};
};

}  // namespace chp::detail

// Declares the plugin's single export. Use once per plugin library, at namespace scope.
#define CHP_DECLARE_PLUGIN(ConnectorType)                                        \
  extern "C" CHP_EXPORT const chp_plugin* chp_plugin_entry(const chp_host* host, \
                                                           uint32_t host_abi) {  \
    return ::chp::detail::PluginAdapter<ConnectorType>::entry(host, host_abi);   \
  }

#endif  // CONNECTOR_HOST_SDK_PLUGIN_HPP_
