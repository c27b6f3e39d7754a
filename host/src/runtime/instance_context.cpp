// InstanceContext: per-instance state behind chp_host_ctx.
#include "chost/runtime/instance_context.hpp"

#include <utility>

#include "txn_handle.hpp"

namespace chost::runtime {

InstanceContext::InstanceContext(std::string name, RuntimeServices services, StatusBoard* board,
                                 ConnectionManager* connections, std::string uses_connection)
    : name_(std::move(name)),
      services_(services),
      board_(board),
      connections_(connections),
      uses_connection_(std::move(uses_connection)) {}

InstanceContext::~InstanceContext() { end_hook(); }

void InstanceContext::begin_hook() {
  connection_lost_.store(false);
  std::lock_guard<std::mutex> lock(mu_);
  store_error_.reset();
}

void InstanceContext::note_store_error(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  store_error_ = std::move(message);
}

std::optional<std::string> InstanceContext::take_store_error() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(store_error_, std::nullopt);
}

void InstanceContext::end_hook() {
  std::vector<std::unique_ptr<TxnHandle>> txns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    txns.swap(txns_);
  }
  for (auto& t : txns) {
    if (t->txn) {
      services_.log->log(LogLevel::kWarn, name_,
                         "hook returned with an open transaction; rolled back");
      t->txn->rollback();
    }
  }
}

TxnHandle* InstanceContext::adopt_txn(std::unique_ptr<TxnHandle> txn) {
  std::lock_guard<std::mutex> lock(mu_);
  txns_.push_back(std::move(txn));
  return txns_.back().get();
}

size_t InstanceContext::open_txns_ForTest() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& t : txns_) n += t->txn ? 1 : 0;
  return n;
}

std::optional<uint64_t> InstanceContext::last_token_generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_generation_;
}

void InstanceContext::set_last_token_generation(uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  last_generation_ = generation;
}

}  // namespace chost::runtime
