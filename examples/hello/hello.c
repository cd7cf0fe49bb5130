/*
 * hello: the example unikernel of skiff. A small static HTTP server that serves a page
 * naming its version. Port from PORT, port=N or --port=N; version compiled in (make VERSION=…),
 * overridable with version=V so one virtio image can stand for several releases in tests.
 * One forked child per connection; SIGTERM stops it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef HELLO_VERSION
#define HELLO_VERSION "1"
#endif

static volatile sig_atomic_t stopping = 0;

static void on_term(int sig) {
  (void)sig;
  stopping = 1;
}

/* Value of "name=V" or "--name=V" in argv, else NULL. */
static const char *find_arg(int argc, char **argv, const char *name) {
  size_t n = strlen(name);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] == '-') a += 2;
    if (strncmp(a, name, n) == 0 && a[n] == '=') return a + n + 1;
  }
  return NULL;
}

static int parse_port(const char *text) {
  char *end = NULL;
  long port = text ? strtol(text, &end, 10) : 0;
  if (!text || *text == '\0' || *end != '\0' || port < 1 || port > 65535) return -1;
  return (int)port;
}

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    buf += w;
    len -= (size_t)w;
  }
}

/* Reads the request head (bounded), answers it, closes. Runs in a forked child. */
static void serve_connection(int fd, const char *version) {
  char req[4096];
  size_t used = 0;
  alarm(10); /* a client that never finishes its request does not keep the child forever */
  while (used < sizeof(req) - 1) {
    ssize_t r = read(fd, req + used, sizeof(req) - 1 - used);
    if (r <= 0) break;
    used += (size_t)r;
    req[used] = '\0';
    if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n")) break;
  }
  req[used] = '\0';
  int head = strncmp(req, "HEAD ", 5) == 0;
  int get = strncmp(req, "GET ", 4) == 0;
  const char *path = get ? req + 4 : head ? req + 5 : "";
  int root = (get || head) && path[0] == '/' && (path[1] == ' ' || path[1] == '?' || path[1] == '\r');
  char body[512];
  const char *status;
  if (!get && !head) {
    status = "405 Method Not Allowed";
    snprintf(body, sizeof(body), "method not allowed\n");
  } else if (!root) {
    status = "404 Not Found";
    snprintf(body, sizeof(body), "not found\n");
  } else {
    status = "200 OK";
    snprintf(body, sizeof(body),
             "<!doctype html>\n<title>hello</title>\n<h1>hello from skiff</h1><p>version %s</p>\n", version);
  }
  char response[1024];
  int len = snprintf(response, sizeof(response),
                     "HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     status, strlen(body), head ? "" : body);
  if (len > 0) write_all(fd, response, (size_t)len < sizeof(response) ? (size_t)len : sizeof(response) - 1);
  shutdown(fd, SHUT_WR);
  close(fd);
}

int main(int argc, char **argv) {
  const char *port_text = find_arg(argc, argv, "port");
  if (!port_text) port_text = getenv("PORT");
  if (!port_text) port_text = "8080";
  int port = parse_port(port_text);
  if (port < 0) {
    fprintf(stderr, "hello: bad port \"%s\" (use PORT=N, port=N or --port=N)\n", port_text);
    return 2;
  }
  const char *version = find_arg(argc, argv, "version");
  if (!version) version = HELLO_VERSION;
  const char *host = find_arg(argc, argv, "host");
  if (!host) host = getenv("HOST");
  if (!host) host = "0.0.0.0";

  struct sigaction term = {0};
  term.sa_handler = on_term; /* no SA_RESTART: accept() returns EINTR so the loop sees the stop */
  sigaction(SIGTERM, &term, NULL);
  sigaction(SIGINT, &term, NULL);
  struct sigaction chld = {0};
  chld.sa_handler = SIG_IGN;
  chld.sa_flags = SA_NOCLDWAIT; /* children are reaped by the kernel: no zombies, even as pid 1 */
  sigaction(SIGCHLD, &chld, NULL);
  signal(SIGPIPE, SIG_IGN);

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) {
    perror("hello: socket");
    return 1;
  }
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "hello: bad host \"%s\"\n", host);
    return 2;
  }
  if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(listener, 128) < 0) {
    fprintf(stderr, "hello: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
    return 1;
  }
  fprintf(stderr, "hello: version %s listening on %s:%d\n", version, host, port);

  while (!stopping) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) {
      if (errno != EINTR) usleep(10000); /* e.g. out of descriptors: back off instead of spinning */
      continue;
    }
    pid_t child = fork();
    if (child == 0) {
      close(listener);
      signal(SIGTERM, SIG_DFL);
      serve_connection(fd, version);
      _exit(0);
    }
    close(fd);
  }
  close(listener);
  fprintf(stderr, "hello: stopping\n");
  return 0;
}
