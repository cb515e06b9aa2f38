#!/bin/sh
# Confine test image (static binaries): busybox sh runs applets, each one an exec of
# /proc/self/exe, then a statically linked dash, then execs busybox httpd.
set -eu
mkdir -p /tmp/work/a
cat /etc/passwd >/tmp/work/passwd
sed -e "s/@KERNEL@/$(uname -r)/" /srv/index.html.in >/srv/www/index.html
ls -l /tmp/work >/dev/null
/usr/local/bin/dash -c 'umask 022; cd /tmp/work && echo dash >d.txt && test -s d.txt'
exec busybox httpd -f -p 127.0.0.1:18083 -h /srv/www
