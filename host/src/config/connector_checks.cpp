// Cross-connector checks (see connector_checks.hpp).
#include "connector_checks.hpp"

#include <connector_host/plugin_api.h>

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "chost/common/daily_time.hpp"
#include "json_pointer.hpp"
#include "json_schema.hpp"
#include "suggest.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

struct Entry {
  size_t index = 0;
  std::string pointer;
  std::string name;
  std::optional<std::string> plugin;
  std::optional<std::string> uses;
};

std::optional<std::string> string_at(const json::object& o, std::string_view key) {
  if (const json::value* v = o.if_contains(key); v && v->is_string()) {
    return std::string(v->get_string());
  }
  return std::nullopt;
}

const PluginSchemaInfo* find_plugin(const std::vector<PluginSchemaInfo>& plugins,
                                    const std::string& name) {
  for (const PluginSchemaInfo& p : plugins) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// schedule: {at, tz}: one form or the other, a real time of day, a zone this build can compute.
void check_schedule_at(LoadContext& ctx, const std::string& entry, bool has_every) {
  const std::string base = entry + "/schedule";
  const json::value* schedule = pointer_find(ctx.doc.root, base);
  if (schedule == nullptr || !schedule->is_object()) return;
  const json::value* at = schedule->as_object().if_contains("at");
  const json::value* tz = schedule->as_object().if_contains("tz");
  if (at == nullptr && tz == nullptr && !has_every) {
    ctx.error(base, "needs 'every' (e.g. 15m) or 'at' (e.g. \"12:00\", with tz)");
    return;
  }
  if (at != nullptr && has_every) {
    ctx.error(base + "/at", "'at' and 'every' exclude each other: choose one");
  }
  if (tz != nullptr && at == nullptr) ctx.error(base + "/tz", "'tz' needs 'at'");
  if (at != nullptr && at->is_string() && !common::parse_time_of_day(at->get_string())) {
    ctx.error(base + "/at", "'" + std::string(at->get_string()) +
                                "' is not a time of day HH:MM between 00:00 and 23:59");
  }
  if (tz != nullptr && tz->is_string() && !common::parse_utc_offset(tz->get_string())) {
    const std::string text(tz->get_string());
    ctx.error(base + "/tz",
              "'" + text + "' is not UTC or a fixed offset like +02:00 or UTC-05:00" +
                  (text.find('/') != std::string::npos
                       ? std::string(" (IANA zone names need a C++20 time zone database, which "
                                     "this build's standard library lacks)")
                       : std::string()));
  }
}

}  // namespace

void check_connectors(LoadContext& ctx, const std::vector<PluginSchemaInfo>& plugins) {
  const json::value* list = pointer_find(ctx.doc.root, "/connectors");
  if (list == nullptr || !list->is_array()) return;

  std::vector<Entry> entries;
  std::map<std::string, size_t> first_by_name;  // name -> position in `entries`
  std::vector<std::string> plugin_names;
  for (const PluginSchemaInfo& p : plugins) plugin_names.push_back(p.name);

  for (size_t i = 0; i < list->get_array().size(); ++i) {
    const json::value& item = list->get_array()[i];
    if (!item.is_object()) continue;
    std::optional<std::string> name = string_at(item.get_object(), "name");
    if (!name) continue;
    Entry e{i, pointer_append("/connectors", i), *name, string_at(item.get_object(), "plugin"),
            string_at(item.get_object(), "uses")};
    auto [it, inserted] = first_by_name.emplace(e.name, entries.size());
    if (!inserted) {
      YamlPos first = ctx.doc.value_position(pointer_append(entries[it->second].pointer, "name"));
      ctx.error(pointer_append(e.pointer, "name"), "duplicate connector name '" + e.name +
                                                       "' (first defined at line " +
                                                       std::to_string(first.line) + ")");
      continue;  // the first definition is the one `uses:` refers to
    }
    entries.push_back(std::move(e));
  }

  std::vector<std::string> connector_names;
  for (const Entry& e : entries) connector_names.push_back(e.name);

  for (const Entry& e : entries) {
    const PluginSchemaInfo* plugin = nullptr;
    if (e.plugin) {
      plugin = find_plugin(plugins, *e.plugin);
      if (plugin == nullptr) {
        std::string hint = did_you_mean(*e.plugin, plugin_names);
        if (hint.empty()) {
          std::string loaded;
          for (const std::string& n : plugin_names) loaded += (loaded.empty() ? "" : ", ") + n;
          hint = loaded.empty() ? " (no plugins are loaded)" : " (loaded plugins: " + loaded + ")";
        }
        ctx.error(pointer_append(e.pointer, "plugin"), "unknown plugin '" + *e.plugin + "'" + hint);
      }
    }
    const json::value* every = pointer_find(ctx.doc.root, e.pointer + "/schedule/every");
    if (every) {
      if (every->is_string() && parse_duration_ms(every->get_string()).value_or(1) == 0) {
        ctx.error(e.pointer + "/schedule/every", "must be greater than 0");
      }
    }
    check_schedule_at(ctx, e.pointer, every != nullptr);
    if (!e.uses) continue;
    std::string uses_ptr = pointer_append(e.pointer, "uses");
    if (plugin && (plugin->capabilities & CHP_CAP_USES_CONNECTION) == 0) {
      ctx.error(uses_ptr, "plugin '" + plugin->name +
                              "' cannot borrow another connector's connection (it lacks "
                              "CHP_CAP_USES_CONNECTION)");
    }
    if (*e.uses == e.name) continue;  // reported as a cycle below
    auto target = first_by_name.find(*e.uses);
    if (target == first_by_name.end()) {
      ctx.error(uses_ptr,
                "unknown connector '" + *e.uses + "'" + did_you_mean(*e.uses, connector_names));
      continue;
    }
    const Entry& t = entries[target->second];
    const PluginSchemaInfo* target_plugin = t.plugin ? find_plugin(plugins, *t.plugin) : nullptr;
    if (target_plugin && (target_plugin->capabilities & CHP_CAP_PROVIDES_CONNECTION) == 0) {
      ctx.error(uses_ptr, "connector '" + t.name + "' does not provide a connection (its plugin '" +
                              target_plugin->name + "' lacks CHP_CAP_PROVIDES_CONNECTION)");
    }
  }

  // Every connector has at most one `uses` edge, so following the chain from each start finds
  // every cycle; each is reported once, at the member that comes first in the file.
  enum class Mark { kUnseen = 1, kOnPath = 2, kDone = 3 };
  std::vector<Mark> mark(entries.size(), Mark::kUnseen);
  for (size_t start = 0; start < entries.size(); ++start) {
    std::vector<size_t> path;
    size_t cur = start;
    while (mark[cur] == Mark::kUnseen) {
      mark[cur] = Mark::kOnPath;
      path.push_back(cur);
      const Entry& e = entries[cur];
      if (!e.uses) break;
      auto next = first_by_name.find(*e.uses);
      if (next == first_by_name.end()) break;
      cur = next->second;
    }
    if (mark[cur] == Mark::kOnPath && entries[path.back()].uses &&
        first_by_name.count(*entries[path.back()].uses) &&
        first_by_name[*entries[path.back()].uses] == cur) {
      auto from = std::find(path.begin(), path.end(), cur);
      std::vector<size_t> cycle(from, path.end());
      size_t first = *std::min_element(cycle.begin(), cycle.end());
      std::rotate(cycle.begin(), std::find(cycle.begin(), cycle.end(), first), cycle.end());
      std::string text;
      for (size_t m : cycle) text += entries[m].name + " -> ";
      text += entries[first].name;
      ctx.error(pointer_append(entries[first].pointer, "uses"), "cycle: " + text);
    }
    for (size_t m : path) mark[m] = Mark::kDone;
  }
}

}  // namespace chost::config
