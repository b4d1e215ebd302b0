// TailBody: a Beast request body that keeps only the last `keep_last` bytes it is given, and
// counts them all. A heartbeat ping's body is a job's output, which may be any length and must
// never be refused (SPEC §5); its end says how the job ended. Memory stays under 2 x keep_last
// whatever arrives. With keep_last == 0 it keeps everything (the parser's body_limit bounds it).
// Included only by http_server.cpp (Beast headers stay in few translation units).
#pragma once

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include <cstdint>
#include <string>

namespace hale {

struct TailBody {
  struct value_type {
    std::string data;
    std::size_t keep_last = 0;   // 0: keep everything
    std::uint64_t received = 0;  // every byte of the body, kept or not
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
      ec = {};
      // Reserve for what is announced, never more than what will be kept (a tail trims at twice
      // its size) nor more than 1 MiB: an announced length costs nothing until it is sent.
      std::uint64_t most = 1 << 20;
      if (body_.keep_last > 0) most = std::min<std::uint64_t>(most, 2 * body_.keep_last);
      if (length) body_.data.reserve(static_cast<std::size_t>(std::min(*length, most)));
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      ec = {};
      std::size_t n = 0;
      for (auto b : boost::beast::buffers_range_ref(buffers)) {
        body_.data.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      body_.received += n;
      // Trim only once twice the tail has piled up: erasing the front on every put would
      // make a long body quadratic.
      if (body_.keep_last > 0 && body_.data.size() > 2 * body_.keep_last) trim();
      return n;
    }

    void finish(boost::beast::error_code& ec) {
      ec = {};
      if (body_.keep_last > 0 && body_.data.size() > body_.keep_last) trim();
    }

   private:
    void trim() { body_.data.erase(0, body_.data.size() - body_.keep_last); }
    value_type& body_;
  };
};

}  // namespace hale
