/* limit-echo: the floor for W10 (tcp_echo). A hand-written single-threaded
 * epoll echo server in plain C, no runtime: level-triggered epoll, one read
 * per readiness event, written back at once (unsent bytes are kept and sent
 * on EPOLLOUT). Listens on 127.0.0.1:<port>.
 * Usage: limit-echo <port> */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
  char *pending; /* bytes read but not yet written back */
  size_t len, off, cap;
};

static struct conn *conns;
static size_t nconns;
static int ep;

static struct conn *conn_of(int fd) {
  if ((size_t)fd >= nconns) {
    size_t n = nconns ? nconns : 1024;
    while (n <= (size_t)fd) n *= 2;
    struct conn *c = realloc(conns, n * sizeof *c);
    if (!c) {
      perror("limit-echo: realloc");
      exit(1);
    }
    memset(c + nconns, 0, (n - nconns) * sizeof *c);
    conns = c;
    nconns = n;
  }
  return &conns[fd];
}

static void close_conn(int fd) {
  struct conn *c = conn_of(fd);
  c->len = c->off = 0;
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
}

static void want(int fd, unsigned events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* Sends buf[0..n); keeps what the socket did not take. 0 ok, -1 error. */
static int send_all(int fd, const char *buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, buf + done, n - done);
    if (w > 0) {
      done += (size_t)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct conn *c = conn_of(fd);
      size_t rest = n - done;
      if (c->cap < rest) {
        char *p = realloc(c->pending, rest);
        if (!p) return -1;
        c->pending = p;
        c->cap = rest;
      }
      memmove(c->pending, buf + done, rest);
      c->len = rest;
      c->off = 0;
      want(fd, EPOLLOUT);
      return 0;
    } else {
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
    fprintf(stderr, "usage: limit-echo <port>\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) {
    perror("limit-echo: socket");
    return 1;
  }
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, SOMAXCONN) < 0) {
    fprintf(stderr, "limit-echo: cannot listen on 127.0.0.1:%s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);

  static char buf[64 * 1024];
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("limit-echo: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        for (;;) {
          int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) break;
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conn_of(cfd)->len = 0;
          struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};
          epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
        }
        continue;
      }
      struct conn *c = conn_of(fd);
      if (c->len > c->off) { /* EPOLLOUT: flush what is pending */
        ssize_t w = write(fd, c->pending + c->off, c->len - c->off);
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          close_conn(fd);
          continue;
        }
        if (w > 0) c->off += (size_t)w;
        if (c->off == c->len) {
          c->off = c->len = 0;
          want(fd, EPOLLIN);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r > 0) {
        if (send_all(fd, buf, (size_t)r) < 0) close_conn(fd);
      } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close_conn(fd);
      }
    }
  }
}
