// The byte level of the plugin-worker protocol (README.md in this folder): frames on a
// SOCK_STREAM socketpair, each `u32 length | u8 kind | u8 op | fields`, and the field encoding
// (little-endian integers, u32-length-prefixed byte strings). Both sides use these; neither
// trusts the other's bytes: every read is bounds-checked and a malformed frame ends the channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace chost::loader::wire {

// What a frame is. Values are on the wire: append, never renumber.
enum class Kind : uint8_t {
  kHello = 1,     // worker -> host, once: the plugin's descriptor
  kHook = 2,      // host -> worker: run hook `op` with the input
  kHookDone = 3,  // worker -> host: hook `op` returned this status
  kCall = 4,      // worker -> host: host callback `op` (see worker_protocol.hpp)
  kReply = 5,     // host -> worker: the answer to the last kCall that expects one
};

// A frame larger than this ends the channel (HTTP bodies travel in one frame).
inline constexpr uint32_t kMaxFrameBytes = 64u * 1024 * 1024;

class Writer {
 public:
  explicit Writer(Kind kind, uint8_t op);
  Writer& u8(uint8_t v);
  Writer& u32(uint32_t v);
  Writer& u64(uint64_t v);
  Writer& i64(int64_t v) { return u64(static_cast<uint64_t>(v)); }
  Writer& f64(double v);
  Writer& str(std::string_view v);
  // The frame with its length prefix filled in.
  const std::string& finish();

 private:
  std::string buf_;
};

// Reads the fields of one frame (the bytes after the length prefix). A read past the end sets
// bad() and returns zero values; check ok() once after reading every field.
class Reader {
 public:
  explicit Reader(std::string_view frame);
  Kind kind() const { return kind_; }
  uint8_t op() const { return op_; }
  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  int64_t i64() { return static_cast<int64_t>(u64()); }
  double f64();
  std::string_view str();
  bool ok() const { return !bad_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  bool take(size_t n, const char** out);
  std::string_view data_;
  size_t pos_ = 0;
  bool bad_ = false;
  Kind kind_ = Kind::kHello;
  uint8_t op_ = 0;
};

// Called while a read or write waits (every `tick_ms`); returning a message aborts the wait with
// that message (the host: deadline passed, worker over its memory limit).
using WaitCheck = std::function<std::optional<std::string>()>;

// One end of the socketpair. Not thread-safe: callers serialize.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // False with error() set on EOF, a socket error, an oversized frame or an aborted wait.
  bool send(const std::string& frame, const WaitCheck& check = {});
  bool receive(std::string* frame, const WaitCheck& check = {});
  const std::string& error() const { return error_; }
  // True when the last failure was the peer closing the socket (EOF or reset).
  bool peer_gone() const { return peer_gone_; }
  int fd() const { return fd_; }
  void close();

  static constexpr int kTickMs = 100;

 private:
  bool wait(short events, const WaitCheck& check);
  bool read_exact(char* out, size_t n, const WaitCheck& check);
  bool fail(std::string message, bool peer_gone = false);

  int fd_;
  std::string error_;
  bool peer_gone_ = false;
};

}  // namespace chost::loader::wire
