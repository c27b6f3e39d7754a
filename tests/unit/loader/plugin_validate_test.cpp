// run_validate_hook(): the ABI 1.4 `validate` hook called dry, its answer bounded and parsed,
// and every way a plugin can answer wrongly reported naming the plugin.
#include "chost/loader/plugin_validate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chost::loader {
namespace {

// What the fake hook answers, set per test (hooks are plain C function pointers).
chp_status_code g_status = CHP_OK;
std::string g_answer;
int g_sink_calls = 1;
std::string g_seen_config;

chp_status_code fake_validate(chp_str config, chp_sink sink, void* user) {
  g_seen_config.assign(config.ptr, config.len);
  for (int i = 0; i < g_sink_calls; ++i) sink(user, chp_str{g_answer.data(), g_answer.size()});
  return g_status;
}

PluginDescriptor plugin_with_hook() {
  PluginDescriptor d;
  d.name = "fake";
  d.hooks.validate = &fake_validate;
  return d;
}

void answer(chp_status_code status, std::string json, int sink_calls = 1) {
  g_status = status;
  g_answer = std::move(json);
  g_sink_calls = sink_calls;
}

TEST(PluginValidate, APluginWithoutTheHookAcceptsEverything) {
  PluginDescriptor d;
  d.name = "old";
  auto r = run_validate_hook(d, "{}");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(PluginValidate, ProblemsComeBackWithTheirPointersInOrder) {
  answer(CHP_ERR_CONFIG,
         R"({"errors":[{"pointer":"/a/0","message":"bad a"},{"pointer":"","message":"whole"}]})");
  auto r = run_validate_hook(plugin_with_hook(), R"({"a":[1]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].pointer, "/a/0");
  EXPECT_EQ((*r)[0].message, "bad a");
  EXPECT_EQ((*r)[1].pointer, "");
  EXPECT_EQ(g_seen_config, R"({"a":[1]})");

  answer(CHP_OK, "");
  r = run_validate_hook(plugin_with_hook(), "{}");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(PluginValidate, AWrongAnswerIsAnErrorNamingThePlugin) {
  const std::pair<chp_status_code, std::string> cases[] = {
      {CHP_ERR_PERMANENT, ""},
      {CHP_ERR_CONFIG, "not json"},
      {CHP_ERR_CONFIG, R"({"errors":[]})"},
      {CHP_ERR_CONFIG, R"({"errors":[{"pointer":1,"message":"m"}]})"},
      {CHP_ERR_CONFIG, R"({"errors":[{"pointer":"a","message":"m"}]})"},
  };
  for (const auto& [status, json] : cases) {
    answer(status, json);
    auto r = run_validate_hook(plugin_with_hook(), "{}");
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.error().cls, ErrorClass::kConfig);
    EXPECT_EQ(r.error().message.rfind("plugin 'fake': validate hook ", 0), 0u) << r.error().message;
  }
  answer(CHP_ERR_CONFIG, R"({"errors":[{"pointer":"","message":"m"}]})", 2);  // two answers
  EXPECT_FALSE(run_validate_hook(plugin_with_hook(), "{}").ok());
}

}  // namespace
}  // namespace chost::loader
