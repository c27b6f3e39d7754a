// The host side of the ABI 1.4 `validate` hook: call it, bound and parse its answer.
#include "chost/loader/plugin_validate.hpp"

#include <boost/json.hpp>

#include <string>

namespace chost::loader {
namespace {

// A plugin answering with megabytes of "errors" is broken; stop collecting there.
constexpr std::size_t kMaxAnswerBytes = 256 * 1024;
constexpr std::size_t kMaxProblems = 100;

struct Answer {
  std::string json;
  int calls = 0;
};

void collect(void* user, chp_str data) {
  auto* answer = static_cast<Answer*>(user);
  ++answer->calls;
  if (data.ptr == nullptr || answer->json.size() + data.len > kMaxAnswerBytes) return;
  answer->json.append(data.ptr, data.len);
}

Error broken(const PluginDescriptor& plugin, const std::string& what) {
  return Error::config("plugin '" + plugin.name + "': validate hook " + what);
}

}  // namespace

Result<std::vector<PluginConfigProblem>> run_validate_hook(const PluginDescriptor& plugin,
                                                           std::string_view config_json) {
  std::vector<PluginConfigProblem> problems;
  if (plugin.hooks.validate == nullptr) return problems;
  Answer answer;
  const chp_status_code status =
      plugin.hooks.validate(chp_str{config_json.data(), config_json.size()}, &collect, &answer);
  if (status == CHP_OK) return problems;
  if (status != CHP_ERR_CONFIG) {
    return broken(plugin, "failed (status " + std::to_string(status) + ")");
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(answer.json, ec);
  const boost::json::value* errors =
      !ec && v.is_object() ? v.as_object().if_contains("errors") : nullptr;
  if (answer.calls != 1 || errors == nullptr || !errors->is_array() || errors->as_array().empty()) {
    return broken(plugin, "refused the config without the documented {\"errors\":[...]} answer");
  }
  for (const boost::json::value& e : errors->as_array()) {
    if (problems.size() == kMaxProblems) break;
    const boost::json::object* o = e.if_object();
    const boost::json::value* pointer = o != nullptr ? o->if_contains("pointer") : nullptr;
    const boost::json::value* message = o != nullptr ? o->if_contains("message") : nullptr;
    if (pointer == nullptr || !pointer->is_string() || message == nullptr ||
        !message->is_string()) {
      return broken(plugin, "answered an error without a string \"pointer\" and \"message\"");
    }
    const std::string p(pointer->as_string());
    if (!p.empty() && p.front() != '/') {
      return broken(plugin, "answered \"" + p.substr(0, 64) + "\", which is no JSON Pointer");
    }
    problems.push_back(PluginConfigProblem{p, std::string(message->as_string())});
  }
  return problems;
}

}  // namespace chost::loader
