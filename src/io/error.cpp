#include "kyoto/io/error.hpp"

namespace kyoto::io {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kyoto.io"; }
  std::string message(int e) const override {
    switch (static_cast<errc>(e)) {
      case errc::unexpected_eof:
        return "unexpected end of stream";
      case errc::write_zero:
        return "the writer accepted no bytes";
      case errc::line_too_long:
        return "line longer than the limit";
      case errc::driver_shutdown:
        return "the runtime's I/O driver is shut down";
    }
    return "unknown kyoto.io error";
  }
};

}  // namespace

const std::error_category& io_category() noexcept {
  static const category c;
  return c;
}

}  // namespace kyoto::io
