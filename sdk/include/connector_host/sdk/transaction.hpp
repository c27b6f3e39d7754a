// chp::Transaction: RAII over the host's state transaction. A sync batch's records, outbox
// changes and checkpoint go through one Transaction so they commit together; anything left
// uncommitted (an exception, an early return) is rolled back by the destructor. A Transaction
// destroyed with staged writes while no exception unwinds is almost always a forgotten
// commit(): the destructor then logs a warning (the host names the connector) before rolling
// back, so "sync ok" with nothing stored does not go unnoticed.
#ifndef CONNECTOR_HOST_SDK_TRANSACTION_HPP_
#define CONNECTOR_HOST_SDK_TRANSACTION_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/sdk/detail/abi_str.hpp>
#include <connector_host/sdk/error.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace chp {

class Transaction {
 public:
  // Takes ownership of an open host transaction. Use Context::begin() to get one; `ctx` (may
  // be null) is where the forgotten-commit warning is logged.
  Transaction(const chp_host* host, chp_txn* txn, chp_host_ctx* ctx = nullptr) noexcept
      : host_(host), txn_(txn), ctx_(ctx) {}
  Transaction(Transaction&& other) noexcept
      : host_(other.host_),
        txn_(std::exchange(other.txn_, nullptr)),
        ctx_(other.ctx_),
        staged_writes_(std::exchange(other.staged_writes_, 0)),
        uncaught_at_start_(other.uncaught_at_start_),
        serializer_(std::move(other.serializer_)),
        buffer_(std::move(other.buffer_)) {}
  Transaction& operator=(Transaction&& other) noexcept {
    if (this != &other) {
      rollback();
      host_ = other.host_;
      txn_ = std::exchange(other.txn_, nullptr);
      ctx_ = other.ctx_;
      staged_writes_ = std::exchange(other.staged_writes_, 0);
      uncaught_at_start_ = other.uncaught_at_start_;
      serializer_ = std::move(other.serializer_);
      buffer_ = std::move(other.buffer_);
    }
    return *this;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (txn_ != nullptr && staged_writes_ > 0 && ctx_ != nullptr &&
        std::uncaught_exceptions() <= uncaught_at_start_) {
      warn_forgotten_commit();
    }
    rollback();
  }

  void put(std::string_view key, std::string_view value) {
    check(host_->txn_put(open(), detail::to_chp(key), detail::to_chp(value)), "state put");
  }
  void del(std::string_view key) {
    check(host_->txn_delete(open(), detail::to_chp(key)), "state delete");
  }
  // Mirrors `record` into `collection` by `id`; `deleted` keeps it as soft-deleted.
  void upsert_record(std::string_view collection, std::string_view id,
                     const boost::json::value& record, bool deleted = false) {
    upsert_serialized(collection, id, serialize(record), deleted);
  }
  // The same for an object, serialized as it is: converting it to a value would copy it.
  void upsert_record(std::string_view collection, std::string_view id,
                     const boost::json::object& record, bool deleted = false) {
    upsert_serialized(collection, id, serialize(record), deleted);
  }
  void outbox_add(std::string_view collection, std::string_view id,
                  const boost::json::value& record) {
    std::string json = boost::json::serialize(record);
    check(host_->txn_outbox_add(open(), detail::to_chp(collection), detail::to_chp(id),
                                detail::to_chp(json)),
          "outbox add");
  }
  // `error` empty: the entry was pushed and is removed; otherwise it is parked for an admin.
  void outbox_done(std::int64_t entry_id, std::string_view error = {}) {
    check(host_->txn_outbox_done(open(), entry_id, detail::to_chp(error)), "outbox done");
  }

  // Durable on return. The transaction ends either way; a failed commit throws the host's
  // class (TransientError for a busy or full disk: the batch can be retried from the last
  // checkpoint). The host adds the store's own words to the hook's error.
  void commit() {
    chp_txn* txn = open();
    txn_ = nullptr;  // the host ends the transaction whatever the outcome
    chp_status_code status = host_->txn_commit(txn);
    if (status != CHP_OK) {
      // No class words in the messages: the host prints the class in front once.
      throw_for_status(status, "state commit");
    }
  }

  // Discards every change. Safe to call more than once.
  void rollback() noexcept {
    if (txn_ != nullptr) host_->txn_rollback(std::exchange(txn_, nullptr));
  }

  bool is_open() const noexcept { return txn_ != nullptr; }

 private:
  chp_txn* open() const {
    if (txn_ == nullptr) throw PermanentError("transaction already committed or rolled back");
    return txn_;
  }
  void check(chp_status_code status, const char* what) {
    if (status != CHP_OK) throw_for_status(status, what);
    ++staged_writes_;
  }
  void upsert_serialized(std::string_view collection, std::string_view id, std::string_view json,
                         bool deleted) {
    check(host_->txn_upsert_record(open(), detail::to_chp(collection), detail::to_chp(id),
                                   detail::to_chp(json), deleted ? 1 : 0),
          "record upsert");
  }
  // Serializes into one buffer reused by every record of the transaction (a page of records
  // costs one growing buffer, not one string per record). The view is valid until the next call.
  template <typename Json>
  std::string_view serialize(const Json& json) {
    if (!serializer_) serializer_ = std::make_unique<boost::json::serializer>();
    serializer_->reset(&json);
    buffer_.clear();
    char chunk[4096];
    while (!serializer_->done()) {
      boost::json::string_view part = serializer_->read(chunk, sizeof chunk);
      buffer_.append(part.data(), part.size());
    }
    return buffer_;
  }

  void warn_forgotten_commit() const noexcept {
    try {
      std::string message = "a transaction with " + std::to_string(staged_writes_) +
                            " staged write(s) was destroyed without commit() or rollback(): "
                            "nothing of it was stored (a missing commit()?)";
      host_->log(ctx_, CHP_LOG_WARN, detail::to_chp(message));
    } catch (...) {
    }
  }

  const chp_host* host_;
  chp_txn* txn_;
  chp_host_ctx* ctx_;
  std::size_t staged_writes_ = 0;
  int uncaught_at_start_ = std::uncaught_exceptions();
  std::unique_ptr<boost::json::serializer> serializer_;  // not movable itself
  std::string buffer_;
};

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_TRANSACTION_HPP_
