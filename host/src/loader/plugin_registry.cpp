// PluginRegistry: directory scanning and name lookup with per-file error collection.
#include "chost/loader/plugin_registry.hpp"

#include <algorithm>
#include <set>
#include <system_error>

namespace chost::loader {

bool PluginRegistry::add_file(const std::filesystem::path& file, const chp_host* host,
                              const LoadOptions& options) {
  auto loaded = PluginLibrary::load(file, host, options);
  if (!loaded) {
    errors_.push_back({file, loaded.error().message});
    return false;
  }
  std::shared_ptr<PluginLibrary> library = std::move(loaded).value();
  if (auto first = find(library->name())) {
    // Which file the YAML means would be a guess; keep the first and make it loud.
    errors_.push_back({file, "plugin name \"" + library->name() + "\" is provided by both " +
                                 first->path().string() + " and " + file.string() +
                                 "; ignoring the latter"});
    return false;
  }
  plugins_.push_back(std::move(library));
  return true;
}

void PluginRegistry::scan(const std::vector<std::filesystem::path>& dirs, const chp_host* host,
                          const LoadOptions& options) {
  std::set<std::filesystem::path> seen_dirs;  // the same dir given twice is scanned once
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      errors_.push_back({dir, "plugin directory " + dir.string() + " does not exist"});
      continue;
    }
    const auto canonical = std::filesystem::canonical(dir, ec);
    if (ec || !seen_dirs.insert(canonical).second) continue;

    std::vector<std::filesystem::path> files;
    std::filesystem::directory_iterator it(dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (it->path().extension() != ".so") continue;
      std::error_code type_ec;
      if (it->is_directory(type_ec)) continue;
      files.push_back(it->path());
    }
    if (ec) {
      errors_.push_back(
          {dir, "plugin directory " + dir.string() + " cannot be read: " + ec.message()});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) add_file(file, host, options);
  }
}

std::shared_ptr<PluginLibrary> PluginRegistry::find(std::string_view name) const {
  for (const auto& p : plugins_) {
    if (p->name() == name) return p;
  }
  return nullptr;
}

}  // namespace chost::loader
