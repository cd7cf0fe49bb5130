#!/bin/bash
# The pre-receive hook of every app repository of skiff server (written into DATA/hooks).
# It hands the push to the running server over loopback and relays the answer, which git shows
# the pusher as `remote:` lines. bash rather than node: it starts in ~2 ms instead of ~120 ms, and
# every push waits for it. The address and secret come from the environment the server gave
# git http-backend; the secret goes through builtins only (never argv). HTTP/1.0, so the answer
# streams unchunked and ends when the server closes the connection. The request is a line
# protocol (src/server/hook-request.ts), so no value needs quoting.
export LC_ALL=C
marker='@HOOK_EXIT_MARKER@'
if [[ -z "$SKIFF_HOOK_HOST" || -z "$SKIFF_HOOK_PORT" || -z "$SKIFF_HOOK_SECRET" ]]; then
  echo "skiff: this repository deploys through skiff server; push to its http URL"
  exit 1
fi
updates=""
while IFS= read -r line || [[ -n "$line" ]]; do updates+="$line"$'\n'; done
body="app $SKIFF_APP"$'\n'"user $REMOTE_USER"$'\n'"git-dir $PWD"$'\n'
body+="object-dir $GIT_OBJECT_DIRECTORY"$'\n'"alternates $GIT_ALTERNATE_OBJECT_DIRECTORIES"$'\n'
# The hook's parent is git receive-pack: the server watches it to know whether git moved the ref.
body+="receive-pack $PPID"$'\n'"push-id $SKIFF_PUSH_ID"$'\n\n'"$updates"
if ! { exec 3<>"/dev/tcp/$SKIFF_HOOK_HOST/$SKIFF_HOOK_PORT"; } 2>/dev/null; then
  echo "skiff: the server did not answer the hook at $SKIFF_HOOK_HOST:$SKIFF_HOOK_PORT"
  exit 1
fi
printf 'POST %s HTTP/1.0\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s' \
  "$SKIFF_HOOK_PATH" "$SKIFF_HOOK_HOST" "$SKIFF_HOOK_SECRET" "${#body}" "$body" >&3
IFS= read -r status <&3
while IFS= read -r line <&3 && [[ -n "${line%$'\r'}" ]]; do :; done
if [[ "$status" != "HTTP/1."?" 200"* ]]; then
  echo "skiff: the server refused the hook: ${status%$'\r'}"
  exit 1
fi
code=1
while IFS= read -r line <&3 || [[ -n "$line" ]]; do
  if [[ "$line" == "$marker"* ]]; then code="${line#"$marker"}"; else printf '%s\n' "$line"; fi
done
[[ "$code" =~ ^[0-9]+$ ]] || code=1
exit "$code"
