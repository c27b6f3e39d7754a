// ConnectionManager: name -> Connection, listeners.
#include "chost/runtime/connection_manager.hpp"

#include <utility>

namespace chost::runtime {

namespace {

Error no_connection(std::string_view name) {
  return Error::not_found("no connection named " + std::string(name));
}

}  // namespace

ConnectionManager::ConnectionManager(RuntimeServices services, ConnectionOptions options,
                                     StatusBoard* board)
    : services_(services), options_(options), board_(board) {}

ConnectionManager::~ConnectionManager() { shutdown_all(); }

Status ConnectionManager::add(const std::string& name, CredentialInstance credential) {
  if (find(name)) return Error::conflict("connection " + name + " is already registered");
  auto conn = Connection::open(name, credential, services_, options_, board_,
                               [this](const std::string& n, ConnectionState s) { notify(n, s); });
  if (!conn) return conn.error();
  std::lock_guard<std::mutex> lock(mu_);
  conns_[name] = std::shared_ptr<Connection>(std::move(*conn));
  return {};
}

void ConnectionManager::remove(std::string_view name) {
  std::shared_ptr<Connection> conn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = conns_.find(name);
    if (it == conns_.end()) return;
    conn = std::move(it->second);
    conns_.erase(it);
  }
  conn->shutdown();
}

std::shared_ptr<Connection> ConnectionManager::find(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(name);
  return it == conns_.end() ? nullptr : it->second;
}

Result<ConnectionToken> ConnectionManager::token(std::string_view name,
                                                 const TokenRequest& request) {
  auto c = find(name);
  if (!c) return no_connection(name);
  return c->token(request);
}

Result<ConnectionToken> ConnectionManager::token(std::string_view name,
                                                 std::optional<uint64_t> rejected_generation) {
  TokenRequest request;
  request.rejected_generation = rejected_generation;
  return token(name, request);
}

Result<std::string> ConnectionManager::authorize(std::string_view name,
                                                 std::string_view input_json) {
  auto c = find(name);
  if (!c) return no_connection(name);
  return c->authorize(input_json);
}

Status ConnectionManager::refresh_now(std::string_view name) {
  auto c = find(name);
  if (!c) return no_connection(name);
  return c->refresh_now();
}

Status ConnectionManager::disable(std::string_view name, std::string_view reason) {
  auto c = find(name);
  if (!c) return no_connection(name);
  return c->disable(reason);
}

Status ConnectionManager::enable(std::string_view name) {
  auto c = find(name);
  if (!c) return no_connection(name);
  return c->enable();
}

void ConnectionManager::maintain() {
  std::vector<std::shared_ptr<Connection>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, c] : conns_) all.push_back(c);
  }
  for (auto& c : all) c->maintain();
}

void ConnectionManager::shutdown_all() {
  std::vector<std::shared_ptr<Connection>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, c] : conns_) all.push_back(c);
  }
  for (auto& c : all) c->shutdown();
}

std::optional<ConnectionState> ConnectionManager::state(std::string_view name) const {
  auto c = find(name);
  if (!c) return std::nullopt;
  return c->state();
}

std::vector<std::string> ConnectionManager::names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (auto& [name, c] : conns_) out.push_back(name);
  return out;
}

void ConnectionManager::add_listener(Listener listener) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void ConnectionManager::notify(const std::string& name, ConnectionState state) {
  std::vector<Listener> copy;
  {
    std::lock_guard<std::mutex> lock(listeners_mu_);
    copy = listeners_;
  }
  for (auto& l : copy) l(name, state);
}

size_t ConnectionManager::callers_in_refresh_ForTest(std::string_view name) const {
  auto c = find(name);
  return c ? c->waiting_ForTest() : 0;
}

int64_t ConnectionManager::next_attempt_at_ms_ForTest(std::string_view name) const {
  auto c = find(name);
  return c ? c->next_attempt_at_ms_ForTest() : 0;
}

}  // namespace chost::runtime
