#!/bin/sh
# Confine test image (Alpine layout): lua renders the page with its C module, then busybox serves it.
set -eu
lua /srv/gen.lua >/srv/www/index.html
exec busybox httpd -f -p 127.0.0.1:18084 -h /srv/www
