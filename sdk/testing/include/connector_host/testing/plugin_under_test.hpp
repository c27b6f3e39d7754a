// chp::testing::PluginUnderTest: drives one instance of a plugin descriptor against a
// FakeHost through the raw C ABI — exactly what the host does — and returns each hook's
// status, error and output. Destroys the instance on scope exit.
#ifndef CONNECTOR_HOST_TESTING_PLUGIN_UNDER_TEST_HPP_
#define CONNECTOR_HOST_TESTING_PLUGIN_UNDER_TEST_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/testing/fake_call.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <string>
#include <string_view>

namespace chp::testing {

struct HookResult {
  chp_status_code status = 0;  // 0 is never a valid status: "not called"
  bool has_error = false;
  std::string error;
  std::string output;
  bool ok() const noexcept { return status == CHP_OK; }
};

class PluginUnderTest {
 public:
  PluginUnderTest(const chp_plugin* plugin, FakeHost& host) : plugin_(plugin), host_(host) {}
  PluginUnderTest(const PluginUnderTest&) = delete;
  PluginUnderTest& operator=(const PluginUnderTest&) = delete;
  ~PluginUnderTest() { destroy(); }

  // Creates the instance (destroying a previous one). On failure no instance exists.
  HookResult create(std::string_view config_json, FakeCall* call = nullptr) {
    destroy();
    FakeCall local;
    FakeCall& c = call != nullptr ? *call : local;
    chp_instance* out = nullptr;
    HookResult r;
    r.status = plugin_->create(host_.ctx(), c.get(),
                               chp_str{config_json.data(), config_json.size()}, &out);
    instance_ = r.status == CHP_OK ? out : nullptr;
    return finish(r, c);
  }

  HookResult authorize(std::string_view input, FakeCall* call = nullptr) {
    return hook(plugin_->authorize, input, call);
  }
  HookResult refresh(std::string_view input, FakeCall* call = nullptr) {
    return hook(plugin_->refresh, input, call);
  }
  HookResult disable(std::string_view input, FakeCall* call = nullptr) {
    return hook(plugin_->disable, input, call);
  }
  HookResult sync(std::string_view input, FakeCall* call = nullptr) {
    return hook(plugin_->sync, input, call);
  }

  void destroy() {
    if (instance_ != nullptr) plugin_->destroy(instance_);
    instance_ = nullptr;
  }

  bool created() const noexcept { return instance_ != nullptr; }
  const chp_plugin* plugin() const noexcept { return plugin_; }

 private:
  using HookFn = chp_status_code (*)(chp_instance*, chp_call*, chp_str);

  HookResult hook(HookFn fn, std::string_view input, FakeCall* call) {
    HookResult r;
    if (instance_ == nullptr) {
      r.status = CHP_ERR_PERMANENT;
      r.has_error = true;
      r.error = "PluginUnderTest: no instance (create failed or was not called)";
      return r;
    }
    FakeCall local;
    FakeCall& c = call != nullptr ? *call : local;
    r.status = fn(instance_, c.get(), chp_str{input.data(), input.size()});
    return finish(r, c);
  }
  static HookResult finish(HookResult r, const FakeCall& c) {
    r.has_error = c.has_error();
    r.error = c.error();
    r.output = c.output();
    return r;
  }

  const chp_plugin* plugin_;
  FakeHost& host_;
  chp_instance* instance_ = nullptr;
};

}  // namespace chp::testing

#endif  // CONNECTOR_HOST_TESTING_PLUGIN_UNDER_TEST_HPP_
