#!/bin/sh
# Confine test image: runs several short-lived programs, then execs a long-running server.
# Phase 1 must find every program listed in e2e/images/scripted.expected (keep the two in sync).
# None of these commands is a dash builtin, so each one is a fork + execve of the path the PATH
# search finds (/usr/bin/..., as /usr/sbin has none of them and /usr/bin comes before /bin).
set -eu

id                                        # /usr/bin/id
mkdir -p /srv/www/sub                     # /usr/bin/mkdir
# $(uname -r) forks a subshell that execs /usr/bin/uname; sed fills the page template.
sed -e "s/@KERNEL@/$(uname -r)/" /srv/index.html.in >/srv/www/index.html
/usr/bin/true                             # exits in well under a millisecond
cat /etc/debian_version                   # /usr/bin/cat

exec busybox httpd -f -p 127.0.0.1:18081 -h /srv/www
