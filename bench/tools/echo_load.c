/* echo_load: a neutral TCP echo load generator (W10 tcp_echo), plain C, one
 * thread, epoll, no runtime under test.
 *
 * Usage: echo_load <host> <port> [connections=64] [payload=64] [seconds=5] [runtime-name=unknown]
 *
 * Opens <connections> TCP connections; on each, sends <payload> bytes and
 * waits for the whole echo, then sends again, until <seconds> have passed.
 * Every echoed byte is checked (each round trip sends a different pattern).
 * Prints `RESULT tcp_echo <runtime-name> <round trips per second> round_trips/s`.
 * Exit status: 0 ok; 1 wrong echo, connection lost, or no round trip; 2 usage
 * or connect error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  uint64_t round; /* round trips completed on this connection */
  size_t sent, received;
  int busy; /* a payload is in flight */
};

static size_t payload;
static unsigned char *out_buf; /* scratch for the outgoing pattern */

static unsigned char pattern(size_t conn, uint64_t round, size_t j) {
  return (unsigned char)(conn * 7u + round * 13u + j * 31u + (j >> 8));
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(int code, const char *fmt, const char *detail) {
  fprintf(stderr, "echo_load: ");
  fprintf(stderr, fmt, detail);
  fputc('\n', stderr);
  exit(code);
}

/* Writes what it can of the current payload. 0 ok, -1 error. */
static int pump_send(int ep, struct conn *c, size_t index) {
  while (c->sent < payload) {
    size_t n = payload - c->sent;
    for (size_t j = 0; j < n; ++j) out_buf[j] = pattern(index, c->round, c->sent + j);
    ssize_t w = write(c->fd, out_buf, n);
    if (w > 0) {
      c->sent += (size_t)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u64 = index};
      epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
      return 0;
    } else {
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: echo_load <host> <port> [connections=64] [payload=64] [seconds=5] [runtime-name]\n");
    return 2;
  }
  const char *host = argv[1], *port = argv[2];
  long nconn = argc > 3 ? atol(argv[3]) : 64;
  long psize = argc > 4 ? atol(argv[4]) : 64;
  double seconds = argc > 5 ? atof(argv[5]) : 5.0;
  const char *runtime = argc > 6 ? argv[6] : "unknown";
  if (nconn <= 0 || nconn > 100000 || psize <= 0 || psize > (1 << 24) || !(seconds > 0))
    die(2, "%s", "bad arguments (connections, payload and seconds must be positive)");
  payload = (size_t)psize;
  signal(SIGPIPE, SIG_IGN);

  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
  int gai = getaddrinfo(host, port, &hints, &ai);
  if (gai != 0) die(2, "cannot resolve host: %s", gai_strerror(gai));

  struct conn *conns = calloc((size_t)nconn, sizeof *conns);
  unsigned char *in_buf = malloc(payload);
  out_buf = malloc(payload);
  if (!conns || !in_buf || !out_buf) die(2, "%s", "out of memory");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int one = 1;
  for (long i = 0; i < nconn; ++i) {
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) die(2, "connect failed: %s", strerror(errno));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    conns[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die(2, "epoll_ctl: %s", strerror(errno));
  }
  freeaddrinfo(ai);

  uint64_t total = 0;
  double start = now_s(), deadline = start + seconds;
  for (long i = 0; i < nconn; ++i) {
    conns[i].busy = 1;
    if (pump_send(ep, &conns[i], (size_t)i) < 0) die(1, "send failed: %s", strerror(errno));
  }
  int in_flight = (int)nconn;
  struct epoll_event events[512];
  double now = start;
  while (in_flight > 0) {
    int timeout_ms = now < deadline ? (int)((deadline - now) * 1000) + 1 : 1000;
    int n = epoll_wait(ep, events, 512, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      die(1, "epoll_wait: %s", strerror(errno));
    }
    now = now_s();
    if (n == 0 && now >= deadline + 1.0) die(1, "%s", "server stopped answering (no echo within 1 s)");
    for (int e = 0; e < n; ++e) {
      size_t i = (size_t)events[e].data.u64;
      struct conn *c = &conns[i];
      if (events[e].events & EPOLLOUT) {
        if (c->sent == payload) {
          struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        } else if (pump_send(ep, c, i) < 0) {
          die(1, "send failed: %s", strerror(errno));
        }
      }
      if (!(events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      ssize_t r = read(c->fd, in_buf, payload - c->received);
      if (r == 0) die(1, "%s", "server closed a connection");
      if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        die(1, "read failed: %s", strerror(errno));
      }
      if (!c->busy) die(1, "%s", "server sent bytes that were not asked for");
      for (ssize_t j = 0; j < r; ++j)
        if (in_buf[j] != pattern(i, c->round, c->received + (size_t)j)) die(1, "%s", "wrong byte in an echo");
      c->received += (size_t)r;
      if (c->received < payload) continue;
      /* one round trip done */
      if (c->sent != payload) die(1, "%s", "echo arrived before the request was sent");
      if (now <= deadline) ++total;
      c->round++;
      c->sent = c->received = 0;
      if (now < deadline) {
        if (pump_send(ep, c, i) < 0) die(1, "send failed: %s", strerror(errno));
      } else {
        c->busy = 0;
        --in_flight;
      }
    }
  }
  double elapsed = (now < deadline ? now : deadline) - start;
  for (long i = 0; i < nconn; ++i) close(conns[i].fd);
  if (total == 0) die(1, "%s", "no round trip completed");
  printf("RESULT tcp_echo %s %.0f round_trips/s\n", runtime, (double)total / elapsed);
  return 0;
}
