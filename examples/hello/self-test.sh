#!/bin/sh
# Quick self-test of the unix build: start it on a free port, GET /, check the page, stop it.
set -eu
binary=$1
version=$2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + $$ % 20000)))
HOST=127.0.0.1 PORT=$port "$binary" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
tries=0
until body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null); do
  tries=$((tries + 1))
  if [ "$tries" -gt 50 ]; then echo "self-test: no answer on port $port" >&2; exit 1; fi
  sleep 0.1
done
case $body in
  *"version $version"*) echo "self-test: ok (version $version on port $port)" ;;
  *) echo "self-test: unexpected page: $body" >&2; exit 1 ;;
esac
