// Streams files through an io::buf_reader over fs::file and prints the
// CRC-32 of each (the checksum of zlib, gzip and PNG: python3 -c "import
// zlib; print('%08x' % zlib.crc32(open('f','rb').read()))" agrees), in
// constant memory whatever the file's size: the checksum runs over the
// reader's own buffer (io::fill_buf + consume), no copy. The file's reads
// run on the blocking pool, so a worker never waits for the disk.
//   file_hash FILE...        prints "<crc32>  <bytes>  <path>" per file
// A file that cannot be read gets an error line on stderr; the others are
// still hashed, and the exit status is then 1.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "kyoto/kyoto.hpp"

namespace {

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), a byte at a time
// through a 256-entry table.
class crc32 {
 public:
  void update(std::span<const std::byte> bytes) noexcept {
    for (std::byte b : bytes) {
      crc_ = table()[(crc_ ^ static_cast<std::uint32_t>(b)) & 0xffu] ^ (crc_ >> 8);
    }
  }
  std::uint32_t value() const noexcept { return crc_ ^ 0xffffffffu; }

 private:
  static const std::array<std::uint32_t, 256>& table() noexcept {
    static const std::array<std::uint32_t, 256> t = [] {
      std::array<std::uint32_t, 256> out{};
      for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        out[i] = c;
      }
      return out;
    }();
    return t;
  }
  std::uint32_t crc_ = 0xffffffffu;
};

struct digest {
  std::uint32_t crc;
  std::uint64_t size;
  digest(std::uint32_t c, std::uint64_t s) noexcept : crc(c), size(s) {}
};

kyoto::task<kyoto::io::result<digest>> hash_file(std::string path) {
  auto f = co_await kyoto::fs::file::open(path);
  if (!f) co_return kyoto::err(f.error());
  kyoto::io::buf_reader in(std::move(*f), 256 * 1024);
  crc32 crc;
  std::uint64_t size = 0;
  for (;;) {
    auto have = co_await kyoto::io::fill_buf(in);
    if (!have) co_return kyoto::err(have.error());
    if (have->empty()) break;  // end of file
    crc.update(*have);
    size += have->size();
    in.consume(have->size());
  }
  co_return digest(crc.value(), size);
}

kyoto::task<int> async_main(std::vector<std::string> paths) {
  int status = 0;
  for (const std::string& p : paths) {
    auto d = co_await hash_file(p);
    if (!d) {
      std::fprintf(stderr, "file_hash: %s\n", d.error().message().c_str());  // names the path
      status = 1;
      continue;
    }
    std::printf("%08x  %llu  %s\n", static_cast<unsigned>(d->crc),
                static_cast<unsigned long long>(d->size), p.c_str());
  }
  co_return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: file_hash FILE...\n");
    return 2;
  }
  return kyoto::run(async_main(std::vector<std::string>(argv + 1, argv + argc)));
}
