/* fs_data: writes the data file of the F1/F2 workloads and prints its checksum.
 *
 * Usage: fs_data PATH BYTES
 *   BYTES must be a positive multiple of 8. The file holds BYTES / 8
 *   little-endian 64-bit words, word k being splitmix64's output for k
 *   (incompressible, position-dependent). Prints the checksum as 16 hex
 *   digits on stdout.
 *
 * Checksum (every benchmark program computes it over what it read):
 *   h = 0xcbf29ce484222325; for each little-endian u64 word w in order:
 *   h = (h ^ w) * 0x100000001b3 (mod 2^64). Order-dependent, so a chunk read
 *   twice, dropped or out of place changes it; about one multiply per word.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t word_at(uint64_t k) {
  uint64_t z = (k + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fs_data PATH BYTES\n");
    return 2;
  }
  char* end = NULL;
  unsigned long long bytes = strtoull(argv[2], &end, 10);
  if (*argv[2] == '\0' || *end != '\0' || bytes == 0 || bytes % 8 != 0) {
    fprintf(stderr, "fs_data: BYTES must be a positive multiple of 8, got '%s'\n", argv[2]);
    return 2;
  }
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    fprintf(stderr, "fs_data: open %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  enum { chunk_words = 1 << 17 }; /* 1 MiB */
  static unsigned char buf[chunk_words * 8];
  uint64_t h = 0xcbf29ce484222325ULL, k = 0, words = bytes / 8;
  while (k < words) {
    size_t n = 0;
    for (; n < chunk_words && k < words; ++n, ++k) {
      uint64_t w = word_at(k);
      h = (h ^ w) * 0x100000001b3ULL;
      for (int b = 0; b < 8; ++b) buf[n * 8 + b] = (unsigned char)(w >> (8 * b));
    }
    size_t len = n * 8, done = 0;
    while (done < len) {
      ssize_t r = write(fd, buf + done, len - done);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        fprintf(stderr, "fs_data: write %s: %s\n", argv[1],
                r < 0 ? strerror(errno) : "wrote nothing");
        return 1;
      }
      done += (size_t)r;
    }
  }
  if (close(fd) < 0) {
    fprintf(stderr, "fs_data: close %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  printf("%016llx\n", (unsigned long long)h);
  return 0;
}
